//! Failure switches for training demos: a trainer flips one before clicking through
//! the sign-in, and the flow fails the way a real misconfiguration would.
//!
//! A switch is nothing but admin API calls (the calls a scenario's `[[setup]]`
//! makes), built from the emulator's configuration: flipping it on sends the
//! broken world, flipping it off sends the configured one back. There is no second
//! way to break a flow. The emulator remembers which switches are on so the
//! inspector can name the switch behind a failure; with a data folder that memory
//! is stored beside the world the switches changed, so after a restart the
//! switches still say what is broken.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response, Store, StoreError};
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
        name: "tampered-signature",
        label: "Assertion tampered with after signing",
        explains: "The IdP signs the assertion for alice, then its NameID is changed to admin on the way: the signature's digest no longer matches, and AWS refuses it.",
        label_ko: "서명 후 변조된 어설션",
        explains_ko: "IdP가 alice의 어설션에 서명한 뒤, 전달 도중 NameID가 admin으로 바뀝니다. 서명의 다이제스트가 더 이상 일치하지 않으므로 AWS가 거부합니다.",
        rules: &["signature-invalid"],
    },
    Switch {
        name: "expired-assertion",
        label: "Assertion expired on arrival",
        explains: "The IdP's clock runs 10 minutes behind: its 5-minute assertions end before they reach AWS, which allows about a minute of clock skew.",
        label_ko: "도착 시 이미 만료된 어설션",
        explains_ko: "IdP의 시계가 10분 늦습니다. 유효 기간 5분인 어설션은 AWS에 도착하기 전에 만료되며, AWS는 약 1분의 시계 오차만 허용합니다.",
        rules: &["assertion-expired"],
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

/// Which switches are on: a table in the store, and a copy in memory for the
/// lookups every inspector page makes.
pub struct State {
    store: Arc<Store>,
    on: Mutex<BTreeSet<&'static str>>,
}

const MIGRATIONS: &[&str] = &["CREATE TABLE demo_switches (name TEXT PRIMARY KEY);"];

impl State {
    /// The switches the store says are on.
    pub fn load(store: Arc<Store>) -> Result<State, StoreError> {
        store.migrate("switches", MIGRATIONS)?;
        let names: Vec<String> = store.with(|c| {
            let mut statement = c.prepare("SELECT name FROM demo_switches")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        let on = names
            .into_iter()
            .map(|name| {
                SWITCHES
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.name)
                    .ok_or_else(|| StoreError::Corrupt {
                        table: "demo_switches",
                        why: "no switch has this name".to_owned(),
                        key: name,
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(State {
            store,
            on: Mutex::new(on),
        })
    }

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

    /// The switches that would be on after flipping `name` to `on`.
    fn flipped(&self, name: &'static str, on: bool) -> BTreeSet<&'static str> {
        let mut switches = self.lock().clone();
        if on {
            switches.insert(name);
        } else {
            switches.remove(name);
        }
        switches
    }

    fn set(&self, switches: BTreeSet<&'static str>) -> Result<(), StoreError> {
        self.store.with(|c| {
            let tx = c.savepoint()?;
            tx.execute("DELETE FROM demo_switches", [])?;
            for name in &switches {
                tx.execute("INSERT INTO demo_switches (name) VALUES (?1)", [name])?;
            }
            tx.commit()
        })?;
        *self.lock() = switches;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<&'static str>> {
        // A panic elsewhere while holding it leaves a set that is still valid.
        self.on
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Why a flip changed nothing.
enum FlipError {
    /// The answer to give: a switch that cannot apply, or an admin call refused.
    Refused(Box<Response>),
    Store(StoreError),
}

impl From<StoreError> for FlipError {
    fn from(error: StoreError) -> Self {
        FlipError::Store(error)
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
    // One transaction: a call refused half-way leaves the world and the switches
    // as they were, and two flips at once do not interleave.
    let state = emulator.switches();
    let flipped = state.store.transaction(|| {
        let after = state.flipped(switch.name, flip.on);
        let calls =
            calls(emulator, switch.name, &|other| after.contains(other)).map_err(|why| {
                FlipError::Refused(Box::new(Response::json_error(
                    StatusCode::CONFLICT,
                    "SwitchUnavailable",
                    why,
                )))
            })?;
        // The calls a scenario's [[setup]] would make, through the same admin API.
        for (method, path, body) in calls {
            let mut call = Request::new(method.clone(), &path).with_json(&body);
            call.peer = request.peer;
            let answer = crate::admin::handle(emulator, &call);
            if !answer.status.is_success() {
                return Err(FlipError::Refused(Box::new(Response::json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "SwitchFailed",
                    format!(
                        "{method} {path} answered {}: {}",
                        answer.status,
                        answer.text_body()
                    ),
                ))));
            }
        }
        state.set(after.clone())?;
        Ok(after)
    });
    let after = match flipped {
        Ok(after) => after,
        Err(FlipError::Refused(answer)) => return *answer,
        Err(FlipError::Store(error)) => {
            return Response::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "StoreFailed",
                format!("the switch could not be stored: {error}"),
            );
        }
    };
    // Every flip records the whole set, so the newest flip before a flow says
    // what was on while it was walked, even after older flips aged out of the log.
    let switches_on: Vec<&str> = after.iter().copied().collect();
    let event = NewEvent::ok(
        "admin",
        "demo.switch",
        format!(
            "failure switch \"{}\" turned {}",
            switch.label,
            if flip.on { "on" } else { "off" }
        ),
    )
    .detail(serde_json::json!({
        "switch": switch.name, "on": flip.on, SWITCHES_ON: switches_on,
    }));
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

/// The key of a flip event's detail that lists every switch on after the flip.
pub const SWITCHES_ON: &str = "switches_on";

/// One admin API call: method, path and JSON body (`null` for none).
pub type Call = (Method, String, serde_json::Value);

/// The calls that put the world the switches `on` make, in the order of
/// [`SWITCHES`], each switch with its own: exactly what flipping them on sends (a
/// call an earlier switch already made is left out, as it carries both).
/// A saved flow makes them its `[[setup]]`.
pub fn setup(emulator: &Emulator, on: &[String]) -> Vec<(Switch, Result<Vec<Call>, String>)> {
    let is_on = |name: &str| on.iter().any(|o| o == name);
    let mut made: Vec<Call> = Vec::new();
    SWITCHES
        .iter()
        .filter(|s| is_on(s.name))
        .map(|s| {
            let calls = calls(emulator, s.name, &is_on).map(|calls| {
                let new: Vec<Call> = calls.into_iter().filter(|c| !made.contains(c)).collect();
                made.extend(new.iter().cloned());
                new
            });
            (*s, calls)
        })
        .collect()
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| format!("the configuration did not serialise: {e}"))
}

/// The admin calls that turn `name` on (the broken world) or off (the configured
/// one), as `is_on` says, in a world where the other switches are as `is_on` says.
fn calls(
    emulator: &Emulator,
    name: &str,
    is_on: &dyn Fn(&str) -> bool,
) -> Result<Vec<Call>, String> {
    let on = is_on(name);
    let config = emulator.config();
    let missing = |what: &str| {
        format!(
            "this switch changes the demo world's {what}, which this configuration does not have"
        )
    };
    match name {
        "wrong-audience" | "unsigned-assertion" | "tampered-signature" | "expired-assertion" => {
            let mut sp = config
                .idp
                .service_providers
                .iter()
                .find(|sp| sp.id == SP)
                .cloned()
                .ok_or_else(|| missing(&format!("service provider {SP}")))?;
            // These switches share the SP, and a call replaces it whole: it carries
            // every such switch that stays on, so flipping one leaves the others be.
            if is_on("wrong-audience") {
                sp.audience = Some("urn:example:not-aws".into());
            }
            if is_on("unsigned-assertion") {
                sp.sign = samlsim_idp::config::SignedParts::None;
            }
            if is_on("tampered-signature") {
                sp.tamper_name_id = Some("admin".into());
            }
            if is_on("expired-assertion") {
                // More than the 5-minute lifetime plus AWS's minute of skew
                // (aws::federation::CLOCK_SKEW).
                sp.clock_offset = Some("-10m".into());
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
