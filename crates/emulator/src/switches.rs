//! Failure switches for training demos: a trainer flips one before clicking through
//! the sign-in, and the flow fails the way a real misconfiguration would.
//!
//! A switch is nothing but admin API calls (the calls a scenario's `[[setup]]`
//! makes), built from the emulator's configuration: flipping it on sends the
//! broken world, flipping it off sends the configured one back. There is no second
//! way to break a flow. The emulator remembers which switches are on so the
//! inspector can name the switch behind a failure.

use std::collections::BTreeSet;
use std::sync::Mutex;

use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response};
use serde::{Deserialize, Serialize};

use crate::Emulator;

/// One switch: what it breaks and which rules it makes a flow fail on.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Switch {
    pub name: &'static str,
    pub label: &'static str,
    /// What flipping it does, for the trainer.
    pub explains: &'static str,
    /// The label and explanation in Korean (the inspector's language toggle).
    pub label_ko: &'static str,
    pub explains_ko: &'static str,
    /// The rules a flow fails on when this switch is on.
    pub rules: &'static [&'static str],
}

/// The demo world's pieces the switches change (the embedded configuration's).
const SP: &str = "connect-us-east-1";
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "ConnectFederation";
const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";

pub const SWITCHES: &[Switch] = &[
    Switch {
        name: "wrong-audience",
        label: "Wrong audience",
        explains: "The IdP puts another Audience in the assertion than AWS expects (urn:amazon:webservices).",
        label_ko: "잘못된 Audience",
        explains_ko: "IdP가 AWS가 기대하는 값(urn:amazon:webservices)과 다른 Audience를 어설션에 넣습니다.",
        rules: &["audience-mismatch"],
    },
    Switch {
        name: "unsigned-assertion",
        label: "Signature left off",
        explains: "The IdP sends the Response and its assertion without a signature: AWS trusts nothing it cannot verify.",
        label_ko: "서명 누락",
        explains_ko: "IdP가 Response와 어설션을 서명 없이 보냅니다. AWS는 검증할 수 없는 것은 신뢰하지 않습니다.",
        rules: &["signature-invalid"],
    },
    Switch {
        name: "role-session-name-case",
        label: "RoleSessionName differs in case from the Connect user",
        explains: "Connect's user alice is renamed Alice: the IdP still sends RoleSessionName alice, and Connect's user names are case-sensitive.",
        label_ko: "RoleSessionName과 Connect 사용자의 대소문자가 다름",
        explains_ko: "Connect 사용자 alice의 이름이 Alice로 바뀝니다. IdP는 여전히 RoleSessionName alice를 보내며, Connect 사용자 이름은 대소문자를 구분합니다.",
        rules: &["user-not-onboarded"],
    },
    Switch {
        name: "role-not-trusted",
        label: "Role does not trust the IdP",
        explains: "ConnectFederation's trust policy names another SAML provider, so AWS will not let this IdP's users assume it.",
        label_ko: "역할이 IdP를 신뢰하지 않음",
        explains_ko: "ConnectFederation 역할의 신뢰 정책이 다른 SAML 공급자를 지정하므로, AWS는 이 IdP의 사용자가 이 역할을 수임하도록 허용하지 않습니다.",
        rules: &["trust-policy"],
    },
    Switch {
        name: "sts-disabled",
        label: "STS disabled in us-east-1",
        explains: "The account has STS deactivated in us-east-1, the region whose sign-in endpoint the IdP posts to.",
        label_ko: "us-east-1에서 STS 비활성화",
        explains_ko: "계정에서 us-east-1의 STS가 비활성화되어 있습니다. IdP가 게시하는 로그인 엔드포인트의 리전입니다.",
        rules: &["sts-region-disabled"],
    },
];

/// Which switches are on.
#[derive(Default)]
pub struct State {
    on: Mutex<BTreeSet<&'static str>>,
}

impl State {
    pub fn is_on(&self, name: &str) -> bool {
        self.lock().contains(name)
    }

    /// The switch that explains a failure on `rule`, if one is on.
    pub fn explaining(&self, rule: &str) -> Option<Switch> {
        let on = self.lock();
        SWITCHES
            .iter()
            .find(|s| on.contains(s.name) && s.rules.contains(&rule))
            .copied()
    }

    fn set(&self, name: &'static str, on: bool) {
        let mut switches = self.lock();
        if on {
            switches.insert(name);
        } else {
            switches.remove(name);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<&'static str>> {
        // A panic elsewhere while holding it leaves a set that is still valid.
        self.on
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Flip {
    switch: String,
    on: bool,
}

/// `GET /_admin/demo/switches` and `POST /_admin/demo/switches {"switch", "on"}`.
pub fn admin(emulator: &Emulator, request: &Request) -> Response {
    if request.method == Method::GET {
        return listing(emulator);
    }
    let flip: Flip = match request.json() {
        Ok(flip) => flip,
        Err(e) => {
            return Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidSwitch",
                format!("expected {{\"switch\": \"wrong-audience\", \"on\": true}}: {e}"),
            );
        }
    };
    let Some(switch) = SWITCHES.iter().find(|s| s.name == flip.switch) else {
        return Response::json_error(
            StatusCode::NOT_FOUND,
            "NoSuchSwitch",
            format!(
                "no switch {:?}; there are {}",
                samlsim_service::bounded(&flip.switch),
                SWITCHES
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    };
    let calls = match calls(emulator, switch.name, flip.on) {
        Ok(calls) => calls,
        Err(why) => {
            return Response::json_error(StatusCode::CONFLICT, "SwitchUnavailable", why);
        }
    };
    // The calls a scenario's [[setup]] would make, through the same admin API.
    for (method, path, body) in calls {
        let mut call = Request::new(method.clone(), &path).with_json(&body);
        call.peer = request.peer;
        let answer = crate::admin::handle(emulator, &call);
        if !answer.status.is_success() {
            return Response::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SwitchFailed",
                format!(
                    "{method} {path} answered {}: {}",
                    answer.status,
                    answer.text_body()
                ),
            );
        }
    }
    emulator.switches().set(switch.name, flip.on);
    let event = NewEvent::ok(
        "admin",
        "demo.switch",
        format!(
            "failure switch \"{}\" turned {}",
            switch.label,
            if flip.on { "on" } else { "off" }
        ),
    )
    .detail(serde_json::json!({ "switch": switch.name, "on": flip.on }));
    if let Err(error) = emulator.events().record(event) {
        tracing::error!(%error, "recording a failure switch failed");
    }
    listing(emulator)
}

fn listing(emulator: &Emulator) -> Response {
    let switches: Vec<serde_json::Value> = SWITCHES
        .iter()
        .map(|s| {
            serde_json::json!({
                "switch": s.name, "label": s.label, "explains": s.explains,
                "rules": s.rules, "on": emulator.switches().is_on(s.name),
            })
        })
        .collect();
    Response::json(StatusCode::OK, &serde_json::json!({ "switches": switches }))
}

type Call = (Method, String, serde_json::Value);

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| format!("the configuration did not serialise: {e}"))
}

/// The admin calls that turn `name` on (the broken world) or off (the configured one).
fn calls(emulator: &Emulator, name: &str, on: bool) -> Result<Vec<Call>, String> {
    let config = emulator.config();
    let missing = |what: &str| {
        format!(
            "this switch changes the demo world's {what}, which this configuration does not have"
        )
    };
    match name {
        "wrong-audience" | "unsigned-assertion" => {
            let mut sp = config
                .idp
                .service_providers
                .iter()
                .find(|sp| sp.id == SP)
                .cloned()
                .ok_or_else(|| missing(&format!("service provider {SP}")))?;
            if on && name == "wrong-audience" {
                sp.audience = Some("urn:example:not-aws".into());
            }
            if on && name == "unsigned-assertion" {
                sp.sign = samlsim_idp::config::SignedParts::None;
            }
            Ok(vec![(
                Method::POST,
                "/_admin/idp/service-providers".into(),
                json(&sp)?,
            )])
        }
        "role-not-trusted" => {
            let account = config
                .aws
                .accounts
                .iter()
                .find(|a| a.id == ACCOUNT)
                .ok_or_else(|| missing(&format!("account {ACCOUNT}")))?;
            let mut role = account
                .roles
                .iter()
                .find(|r| r.name == ROLE)
                .cloned()
                .ok_or_else(|| missing(&format!("role {ROLE}")))?;
            if on {
                role.trust_policy = role
                    .trust_policy
                    .replace("saml-provider/ExampleCorpIdP", "saml-provider/OtherIdP");
            }
            Ok(vec![(
                Method::POST,
                format!("/_admin/aws/accounts/{ACCOUNT}/roles"),
                json(&role)?,
            )])
        }
        "sts-disabled" => {
            let mut account = config
                .aws
                .accounts
                .iter()
                .find(|a| a.id == ACCOUNT)
                .cloned()
                .ok_or_else(|| missing(&format!("account {ACCOUNT}")))?;
            if on {
                account.sts_disabled_regions.push("us-east-1".into());
            }
            Ok(vec![(
                Method::POST,
                "/_admin/aws/accounts".into(),
                json(&account)?,
            )])
        }
        "role-session-name-case" => {
            let instance = config
                .connect
                .instances
                .iter()
                .find(|i| i.id == INSTANCE)
                .ok_or_else(|| missing(&format!("Connect instance {INSTANCE}")))?;
            let user = instance
                .users
                .iter()
                .find(|u| u.username == "alice")
                .cloned()
                .ok_or_else(|| missing("Connect user alice"))?;
            let (from, to) = if on {
                ("alice", "Alice")
            } else {
                ("Alice", "alice")
            };
            let mut renamed = user;
            renamed.username = to.into();
            let users = format!("/_admin/connect/instances/{INSTANCE}/users");
            Ok(vec![
                (
                    Method::DELETE,
                    format!("{users}/{from}"),
                    serde_json::Value::Null,
                ),
                (Method::POST, users, json(&renamed)?),
            ])
        }
        _ => Err(format!("no switch {name}")),
    }
}
