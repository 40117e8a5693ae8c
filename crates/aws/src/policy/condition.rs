//! Conditions and their operators (reference_policies_elements_condition_operators,
//! reference_policies_multi-value-conditions).

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) operator: Operator,
    /// As written; looked up case-insensitively.
    pub(super) key: String,
    pub(super) values: Vec<ConditionValue>,
}

#[derive(Debug, Clone)]
pub(super) struct ConditionValue {
    /// As written, for the operators that take no variables or wildcards.
    pub(super) raw: String,
    /// With wildcards and (in 2012-10-17) policy variables, for the string, ARN and
    /// Bool operators.
    pub(super) template: Template,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Operator {
    pub(super) test: Test,
    /// `StringNotEquals`, `NotIpAddress`, ...: true when no policy value matches.
    pub(super) negated: bool,
    /// The `...IfExists` suffix: true when the key is absent.
    pub(super) if_exists: bool,
    pub(super) set: SetOperator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetOperator {
    /// No prefix: the operator as documented for single-valued keys.
    Single,
    /// `ForAnyValue:`: some request value matches (reference_policies_multi-value-conditions).
    ForAnyValue,
    /// `ForAllValues:`: every request value matches.
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Date(Comparison),
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

/// Every operator IAM knows, before prefixes and suffixes: (name, test, negated).
pub(super) const OPERATORS: &[(&str, Test, bool)] = &[
    ("StringEquals", Test::StringEquals, false),
    ("StringNotEquals", Test::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Test::StringLike, false),
    ("StringNotLike", Test::StringLike, true),
    ("NumericEquals", Test::Numeric(Comparison::Equals), false),
    ("NumericNotEquals", Test::Numeric(Comparison::Equals), true),
    (
        "NumericLessThan",
        Test::Numeric(Comparison::LessThan),
        false,
    ),
    (
        "NumericLessThanEquals",
        Test::Numeric(Comparison::LessThanEquals),
        false,
    ),
    (
        "NumericGreaterThan",
        Test::Numeric(Comparison::GreaterThan),
        false,
    ),
    (
        "NumericGreaterThanEquals",
        Test::Numeric(Comparison::GreaterThanEquals),
        false,
    ),
    ("DateEquals", Test::Date(Comparison::Equals), false),
    ("DateNotEquals", Test::Date(Comparison::Equals), true),
    ("DateLessThan", Test::Date(Comparison::LessThan), false),
    (
        "DateLessThanEquals",
        Test::Date(Comparison::LessThanEquals),
        false,
    ),
    (
        "DateGreaterThan",
        Test::Date(Comparison::GreaterThan),
        false,
    ),
    (
        "DateGreaterThanEquals",
        Test::Date(Comparison::GreaterThanEquals),
        false,
    ),
    ("Bool", Test::Bool, false),
    ("BinaryEquals", Test::Binary, false),
    ("IpAddress", Test::IpAddress, false),
    ("NotIpAddress", Test::IpAddress, true),
    // "ArnEquals and ArnLike behave identically", and so do their negations.
    ("ArnEquals", Test::Arn, false),
    ("ArnLike", Test::Arn, false),
    ("ArnNotEquals", Test::Arn, true),
    ("ArnNotLike", Test::Arn, true),
    ("Null", Test::Null, false),
];

pub(super) const SET_OPERATORS: &[&str] = &["ForAnyValue", "ForAllValues"];

impl Operator {
    /// Reads `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`. Names are
    /// case-sensitive: IAM refuses `stringEquals` ("Invalid Condition type").
    pub(super) fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (SetOperator::ForAnyValue, rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (SetOperator::ForAllValues, rest)
        } else {
            (SetOperator::Single, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let &(_, test, negated) = OPERATORS.iter().find(|(n, ..)| *n == base)?;
        // "You can add IfExists to the end of any condition operator name except the
        // Null condition."
        if test == Test::Null && if_exists {
            return None;
        }
        Some(Operator {
            test,
            negated,
            if_exists,
            set,
        })
    }

    /// The operators whose values take policy variables: string, ARN and Bool ones
    /// (reference_policies_elements_condition_operators).
    pub(super) fn takes_variables(&self) -> bool {
        matches!(
            self.test,
            Test::StringEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringLike
                | Test::Arn
                | Test::Bool
        )
    }
}

/// The operator `name` was probably meant to be, for the error message.
pub(super) fn suggest_operator(name: &str) -> Option<String> {
    let (set, rest) = match name.split_once(':') {
        Some((set, rest)) => (Some(closest(set, SET_OPERATORS)?), rest),
        None => (None, name),
    };
    // `IfExists` is matched case-insensitively so that `StringEqualsifexists` is
    // recognised; to_ascii_lowercase keeps byte offsets, so the slice is sound.
    let (core, if_exists) = if rest.len() > 8 && rest.to_ascii_lowercase().ends_with("ifexists") {
        (&rest[..rest.len() - 8], true)
    } else {
        (rest, false)
    };
    let names: Vec<&str> = OPERATORS.iter().map(|(n, ..)| *n).collect();
    let base = closest(core, &names)?;
    let mut suggestion = String::new();
    if let Some(set) = set {
        suggestion.push_str(set);
        suggestion.push(':');
    }
    suggestion.push_str(base);
    if if_exists && base != "Null" {
        suggestion.push_str("IfExists");
    }
    (suggestion != name).then_some(suggestion)
}

pub(super) fn parse_condition(
    json: &Json,
    path: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let mut conditions = Vec::new();
    for (name, block) in object(json, path)? {
        let operator = Operator::parse(name).ok_or_else(|| PolicyError::UnknownOperator {
            path: path.to_owned(),
            operator: name.clone(),
            suggestion: suggest_operator(name),
        })?;
        let here = format!("{path}.{name}");
        for (key, values) in object(block, &here)? {
            if !key
                .split_once(':')
                .is_some_and(|(service, rest)| !service.is_empty() && !rest.is_empty())
            {
                return Err(PolicyError::InvalidConditionKey {
                    path: here,
                    key: key.clone(),
                });
            }
            let values = condition_values(values, &format!("{here}.{key}"))?
                .into_iter()
                .map(|raw| ConditionValue {
                    template: Template::parse(&raw, variables && operator.takes_variables()),
                    raw,
                })
                .collect();
            conditions.push(Condition {
                operator,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(conditions)
}

/// A condition's values: a string, number or boolean, or a non-empty list of them
/// (reference_policies_grammar: `condition_value`).
pub(super) fn condition_values(json: &Json, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |json: &Json| match json {
        Json::String(s) | Json::Number(s) => Ok(s.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        other => Err(PolicyError::InvalidConditionValue {
            path: path.to_owned(),
            found: other.kind(),
        }),
    };
    match json {
        Json::Array(items) if items.is_empty() => Err(PolicyError::Empty {
            path: path.to_owned(),
        }),
        Json::Array(items) => items.iter().map(scalar).collect(),
        single => Ok(vec![scalar(single)?]),
    }
}

impl Condition {
    /// Whether the condition holds in `context`.
    ///
    /// The rules (reference_policies_elements_condition_operators,
    /// reference_policies_multi-value-conditions):
    /// - several values for the key are ORed: one matching is enough; a negated
    ///   operator holds when none matches;
    /// - a key absent from the context makes an operator false, a negated one true;
    ///   `IfExists` makes it true; `ForAllValues` true and `ForAnyValue` false;
    /// - `Null` tests only whether the key is absent.
    ///
    /// With several request values and no set operator, the mock treats the operator
    /// as "some request value matches" (its negation: "no request value matches"); the
    /// user guide documents these operators for single-valued keys only.
    pub(super) fn holds(&self, context: &Context) -> bool {
        let op = self.operator;
        let present = context.present(&self.key);
        if op.test == Test::Null {
            let absent = present.is_none();
            return self
                .values
                .iter()
                .any(|v| parse_bool(&v.raw) == Some(absent));
        }
        let Some(request_values) = present else {
            return match (op.if_exists, op.set) {
                (true, _) | (false, SetOperator::ForAllValues) => true,
                (false, SetOperator::ForAnyValue) => false,
                (false, SetOperator::Single) => op.negated,
            };
        };
        // One request value passes when some policy value matches it, or for a
        // negated operator when none does.
        let passes = |value: &String| {
            self.values
                .iter()
                .any(|p| op.test.matches(value, p, context))
                != op.negated
        };
        match op.set {
            SetOperator::ForAllValues => request_values.iter().all(passes),
            SetOperator::ForAnyValue => request_values.iter().any(passes),
            SetOperator::Single if op.negated => request_values.iter().all(passes),
            SetOperator::Single => request_values.iter().any(passes),
        }
    }
}

impl Test {
    /// Whether the request value `actual` matches the policy value `expected`.
    /// A policy value that cannot be read (an unresolvable variable, a number that
    /// is not one) matches nothing.
    pub(super) fn matches(
        self,
        actual: &str,
        expected: &ConditionValue,
        context: &Context,
    ) -> bool {
        let resolve = || expected.template.resolve(context);
        let text = || resolve().map(|tokens| as_text(&tokens));
        match self {
            Test::StringEquals => text().is_some_and(|e| e == actual),
            Test::StringEqualsIgnoreCase => {
                text().is_some_and(|e| e.to_lowercase() == actual.to_lowercase())
            }
            Test::StringLike => resolve().is_some_and(|t| glob(&t, actual, Wildcards::Anywhere)),
            Test::Arn => resolve().is_some_and(|t| arn_like(&t, actual)),
            Test::Bool => text().is_some_and(|e| e.eq_ignore_ascii_case(actual)),
            Test::Numeric(cmp) => match (parse_number(actual), parse_number(&expected.raw)) {
                (Some(a), Some(e)) => cmp.holds(a.partial_cmp(&e)),
                _ => false,
            },
            Test::Date(cmp) => match (parse_date(actual), parse_date(&expected.raw)) {
                (Some(a), Some(e)) => cmp.holds(Some(a.cmp(&e))),
                _ => false,
            },
            // "Compares the value of the specified key byte for byte against a base-64
            // encoded representation of the binary value in the policy"; the request
            // context holds binary values base64-encoded too.
            Test::Binary => match (
                BASE64.decode(actual.trim()),
                BASE64.decode(expected.raw.trim()),
            ) {
                (Ok(a), Ok(e)) => a == e,
                _ => false,
            },
            Test::IpAddress => ip_in_range(actual, &expected.raw),
            Test::Null => false, // decided in Condition::holds
        }
    }
}

impl Comparison {
    pub(super) fn holds(self, actual_vs_expected: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let Some(ordering) = actual_vs_expected else {
            return false;
        };
        match self {
            Comparison::Equals => ordering == Equal,
            Comparison::LessThan => ordering == Less,
            Comparison::LessThanEquals => ordering != Greater,
            Comparison::GreaterThan => ordering == Greater,
            Comparison::GreaterThanEquals => ordering != Less,
        }
    }
}

pub(super) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `None` for text that is no number: a Numeric operator then does not match it,
/// which is what IAM does with a context value of the wrong type.
pub(super) fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `ArnLike`: "each of the six colon-delimited components of the ARN is checked
/// separately", so a `*` never runs past a colon, except that the last component
/// (the resource) is the rest of the ARN, colons included.
pub(super) fn arn_like(pattern: &[Token], arn: &str) -> bool {
    // A lone `*` is taken to match any ARN, as it does in `Resource`; the guide does
    // not say.
    if pattern == [Token::Star] {
        return true;
    }
    let mut patterns = Vec::with_capacity(6);
    let mut rest = pattern;
    while patterns.len() < 5 {
        let Some(colon) = rest.iter().position(|t| *t == Token::Lit(':')) else {
            break;
        };
        patterns.push(&rest[..colon]);
        rest = &rest[colon + 1..];
    }
    patterns.push(rest);
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    patterns.len() == 6
        && fields.len() == 6
        && patterns
            .iter()
            .zip(fields)
            .all(|(p, f)| glob(p, f, Wildcards::Anywhere))
}

/// Whether the IP address `actual` lies in `range` (`203.0.113.0/24`,
/// `2001:DB8::/64`; a bare address is a /32 or /128).
pub(super) fn ip_in_range(actual: &str, range: &str) -> bool {
    let Ok(actual) = actual.trim().parse::<IpAddr>() else {
        return false;
    };
    let range = range.trim();
    let (network, prefix) = match range.split_once('/') {
        Some((network, prefix)) => match prefix.parse::<u32>() {
            Ok(prefix) => (network, Some(prefix)),
            Err(_) => return false,
        },
        None => (range, None),
    };
    let Ok(network) = network.parse::<IpAddr>() else {
        return false;
    };
    match (actual, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let prefix = prefix.unwrap_or(32);
            let mask = u32::MAX.checked_shl(32 - prefix.min(32)).unwrap_or(0);
            prefix <= 32 && u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let prefix = prefix.unwrap_or(128);
            let mask = u128::MAX.checked_shl(128 - prefix.min(128)).unwrap_or(0);
            prefix <= 128 && u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Nanoseconds since the Unix epoch of a date condition value: epoch seconds
/// (`1700000000`, what `aws:EpochTime` holds) or a W3C ISO 8601 date
/// (`2020-01-01`, `2020-01-01T00:00:01Z`, `2020-01-01T09:00:00+09:00`;
/// reference_policies_elements_condition_operators). A time without a zone is
/// taken as UTC.
pub(super) fn parse_date(s: &str) -> Option<i128> {
    const NANOS: i128 = 1_000_000_000;
    let s = s.trim();
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if is_digits(whole) && (fraction.is_empty() || is_digits(fraction)) {
        // At most 19 digits fit an i64, and i64::MAX seconds in nanoseconds still
        // fits an i128: no overflow. More digits are no date (`None`).
        let seconds: i64 = whole.parse().ok()?;
        return Some(i128::from(seconds) * NANOS + fraction_nanos(fraction));
    }

    let mut cursor = Cursor::new(s);
    let year = cursor.number(4)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset_minutes: i64 = 0;
    if cursor.eat(b'-') {
        month = cursor.number(2)?;
        if cursor.eat(b'-') {
            day = cursor.number(2)?;
            if cursor.eat(b'T') || cursor.eat(b't') {
                hour = cursor.number(2)?;
                cursor.expect(b':')?;
                minute = cursor.number(2)?;
                if cursor.eat(b':') {
                    second = cursor.number(2)?;
                    if cursor.eat(b'.') {
                        nanos = fraction_nanos(cursor.digits());
                    }
                }
                if cursor.eat(b'Z') || cursor.eat(b'z') {
                } else if let Some(sign) = cursor.sign() {
                    let zone_hours = cursor.number(2)?;
                    cursor.eat(b':');
                    let zone_minutes = cursor.number(2)?;
                    offset_minutes = sign * (zone_hours * 60 + zone_minutes);
                }
            }
        }
    }
    let valid = cursor.done()
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(i128::from(seconds) * NANOS + nanos)
}

/// Nanoseconds of a decimal fraction of a second (`"5"` is half a second).
pub(super) fn fraction_nanos(digits: &str) -> i128 {
    let mut nanos = 0;
    let mut scale = 100_000_000;
    for b in digits.bytes().take(9) {
        nanos += i128::from(b - b'0') * scale;
        scale /= 10;
    }
    nanos
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A reader over an ASCII date string.
pub(super) struct Cursor<'s> {
    pub(super) bytes: &'s [u8],
    pub(super) position: usize,
}

impl<'s> Cursor<'s> {
    pub(super) fn new(s: &'s str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            position: 0,
        }
    }

    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.position) == Some(&byte);
        self.position += usize::from(found);
        found
    }

    pub(super) fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    pub(super) fn sign(&mut self) -> Option<i64> {
        if self.eat(b'+') {
            Some(1)
        } else if self.eat(b'-') {
            Some(-1)
        } else {
            None
        }
    }

    /// Exactly `width` digits.
    pub(super) fn number(&mut self, width: usize) -> Option<i64> {
        let digits = self.bytes.get(self.position..self.position + width)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.position += width;
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// All the digits from here.
    pub(super) fn digits(&mut self) -> &'s str {
        let start = self.position;
        while self
            .bytes
            .get(self.position)
            .is_some_and(u8::is_ascii_digit)
        {
            self.position += 1;
        }
        // Only ASCII digits were consumed, so this is valid UTF-8.
        std::str::from_utf8(&self.bytes[start..self.position]).unwrap_or_default()
    }

    pub(super) fn done(&self) -> bool {
        self.position == self.bytes.len()
    }
}
