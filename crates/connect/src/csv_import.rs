//! Bulk import of Amazon Connect users from a CSV file (C26).
//!
//! Connect lets an administrator add users by hand or up to 1000 at a time from a CSV
//! template downloaded from *User management*. The template depends on how the instance
//! manages identities: an instance using SAML 2.0 has its own template, without the
//! `email address` and `password` columns of the Connect-managed one. A template
//! downloaded before the instance switched to SAML no longer fits and must be downloaded
//! again; [`parse`] recognises that file and says so ([`ImportError::NonSamlTemplate`])
//! rather than reporting a puzzling header mismatch.
//!
//! The rules applied, and the choices this emulator makes where Connect's behaviour is
//! not documented:
//!
//! - **All or nothing.** If any row is bad, nothing is imported and every bad row is
//!   reported at once ([`ImportError::Rows`]), each with its line number and column.
//!   This is the emulator's choice, not a claim about Connect: it keeps an import
//!   repeatable, since the same file can be fixed and uploaded again without first
//!   working out which users already went in (re-adding one would be refused as an
//!   existing record).
//! - **Header.** It must be the SAML template's row ([`SAML_TEMPLATE_HEADER`]), compared
//!   column by column, case-insensitively and ignoring whitespace around each name;
//!   column order matters. The `tags` column of the current Connect-managed template is
//!   *not* accepted at the end of the SAML one: [`ImportedUser`] has nowhere to keep
//!   tags, and dropping them silently would be worse than refusing the file.
//! - **CSV.** RFC 4180: fields separated by commas, optionally quoted with `"`, a quote
//!   inside a quoted field doubled. Lines may end in CRLF, LF or a lone CR (what older
//!   spreadsheet programs on the Mac write); a UTF-8 byte order mark at the start is
//!   ignored (Excel's "CSV UTF-8" writes one). Whitespace around a field, or around the
//!   quotes of a quoted field, is not part of the value: a trailing space typed into a
//!   spreadsheet cell must not turn `jdoe` into an invalid user login.
//! - **Blank rows** are skipped, including rows whose fields are all empty (`,,,,`),
//!   which spreadsheets write for rows that were once edited and then cleared.
//! - **Line numbers** are 1-based physical lines of the file: the header is line 1 and a
//!   quoted field spanning several lines advances the count, so the number matches what
//!   a text editor shows.
//! - **Limits.** At least one and at most [`MAX_USERS`] users per file.
//! - **Names** of security and routing profiles are matched exactly (case-sensitively),
//!   as user logins are; a near miss that differs only in case gets a hint.

use std::collections::{HashMap, HashSet};
use std::fmt;

/// The header row of the template for instances using SAML 2.0 identity management,
/// as Connect writes it.
pub const SAML_TEMPLATE_HEADER: &str = "first name,last name,user login,routing profile name,security_profile_name_1|security_profile_name_2,phone type (soft/desk),phone number,soft phone auto accept (yes/no),ACW timeout (seconds)";

/// The header row of the template for instances that store users in Connect itself
/// (the Connect-managed template). Shown to explain [`ImportError::NonSamlTemplate`];
/// any header with an `email address` or `password` column is taken to be this template,
/// which also covers its longer current variant (`secondary email address`, `mobile`,
/// hierarchy and `tags` columns).
pub const CONNECT_MANAGED_TEMPLATE_HEADER: &str = "first name,last name,email address,password,user login,routing profile name,security_profile_name_1|security_profile_name_2,phone type (soft/desk),phone number,soft phone auto accept (yes/no),ACW timeout (seconds)";

/// The most users one file may add ("You can add up to 1000 users at a time by using a
/// .csv file").
pub const MAX_USERS: usize = 1000;

/// The longest user login a SAML instance accepts (`CreateUser`'s `Username`).
const MAX_USERNAME_CHARS: usize = 64;

/// The longest first or last name (`CreateUser`'s `IdentityInfo`).
const MAX_NAME_CHARS: usize = 100;

/// The largest after-contact-work timeout: `AfterContactWorkTimeLimit` allows 0 (no
/// limit) to 2,000,000 seconds (about 23 days).
const MAX_ACW_TIMEOUT_SECONDS: u32 = 2_000_000;

/// The SAML template's columns, in order; their names label [`RowError::column`].
const COLUMNS: [&str; 9] = [
    FIRST_NAME,
    LAST_NAME,
    USER_LOGIN,
    ROUTING_PROFILE,
    SECURITY_PROFILES,
    PHONE_TYPE,
    PHONE_NUMBER,
    AUTO_ACCEPT,
    ACW_TIMEOUT,
];
const FIRST_NAME: &str = "first name";
const LAST_NAME: &str = "last name";
const USER_LOGIN: &str = "user login";
const ROUTING_PROFILE: &str = "routing profile name";
const SECURITY_PROFILES: &str = "security_profile_name_1|security_profile_name_2";
const PHONE_TYPE: &str = "phone type (soft/desk)";
const PHONE_NUMBER: &str = "phone number";
const AUTO_ACCEPT: &str = "soft phone auto accept (yes/no)";
const ACW_TIMEOUT: &str = "ACW timeout (seconds)";

/// What the instance already holds, against which the rows are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportContext<'a> {
    /// Names of the instance's security profiles.
    pub security_profiles: &'a [&'a str],
    /// Names of the instance's routing profiles.
    pub routing_profiles: &'a [&'a str],
    /// User names already in the instance: bulk upload only adds users.
    pub existing_users: &'a [&'a str],
}

/// One user to create, read from a valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedUser {
    /// `first name`.
    pub first_name: String,
    /// `last name`.
    pub last_name: String,
    /// `user login`: the Connect user name, which for a SAML instance is what the
    /// `IdP` sends as the role session name.
    pub username: String,
    /// `routing profile name`, one of [`ImportContext::routing_profiles`].
    pub routing_profile: String,
    /// The security profile names, in the file's order without repeats; at least one.
    pub security_profiles: Vec<String>,
    /// `phone type (soft/desk)`.
    pub phone_type: PhoneType,
    /// `phone number` in E.164 form; always present for a desk phone, and kept as given
    /// when a soft-phone row has one (a soft phone does not use it).
    pub phone_number: Option<String>,
    /// `soft phone auto accept (yes/no)`; an empty cell means no.
    pub auto_accept: bool,
    /// `ACW timeout (seconds)`; `None` when the cell is empty, `Some(0)` for no limit.
    pub acw_timeout_seconds: Option<u32>,
}

/// How an agent takes calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneType {
    /// The softphone in the Contact Control Panel (`soft` in the file).
    Soft,
    /// A desk phone Connect rings on its number (`desk` in the file).
    Desk,
}

impl PhoneType {
    /// The name Connect's API uses (`PhoneConfig.PhoneType`).
    #[must_use]
    pub fn api_name(self) -> &'static str {
        match self {
            PhoneType::Soft => "SOFT_PHONE",
            PhoneType::Desk => "DESK_PHONE",
        }
    }
}

/// Why a file was refused. Nothing is imported whichever it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The text cannot be read as CSV (or, from [`parse_bytes`], is not UTF-8).
    #[error("line {line}: the file is not a valid CSV file: {reason}")]
    NotCsv {
        /// The physical line where reading failed.
        line: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// The file holds no users: it is empty, or has only the header row.
    #[error("the file contains no users: fill in one row per user under the header row")]
    Empty,
    /// The file holds more users than one upload may add.
    #[error("the file contains {count} users; at most {MAX_USERS} can be added from one file")]
    TooManyUsers {
        /// The number of (non-blank) user rows in the file.
        count: usize,
    },
    /// The header is the Connect-managed template's, which this SAML instance cannot use.
    #[error(
        "this file is the template for instances that manage users in Amazon Connect (it has email address and password columns); this instance uses SAML 2.0 identity management: download the SAML template from User management and fill it in again (C26)"
    )]
    NonSamlTemplate {
        /// The header's columns that identify the Connect-managed template, as found.
        columns: Vec<String>,
    },
    /// The header row is not the SAML template's.
    #[error(
        "the header row must be identical to the template's: {}; expected `{expected}`, found `{found}`",
        header_difference(expected, found)
    )]
    WrongHeader {
        /// The header required ([`SAML_TEMPLATE_HEADER`]).
        expected: &'static str,
        /// The header found, its columns trimmed and joined with commas.
        found: String,
    },
    /// Some rows are invalid; every problem found is listed, in file order.
    #[error("{}", list_row_errors(.0))]
    Rows(Vec<RowError>),
}

/// One problem with one row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The physical line (1-based; the header is line 1) where the row starts.
    pub line: usize,
    /// The template column at fault (its header name), or `None` for the whole row.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}: column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Reads a file in the SAML template and returns the users it adds, or every reason
/// why none will be added. See the module documentation for the rules.
///
/// # Errors
///
/// [`ImportError::NotCsv`] for malformed CSV, [`ImportError::Empty`] and
/// [`ImportError::TooManyUsers`] for a file with no or too many users,
/// [`ImportError::NonSamlTemplate`] or [`ImportError::WrongHeader`] for the wrong header,
/// and [`ImportError::Rows`] listing every problem in the rows.
pub fn parse(csv: &str, context: &ImportContext) -> Result<Vec<ImportedUser>, ImportError> {
    let mut records = read_records(csv)?
        .into_iter()
        .filter(|record| !record.is_blank());
    let header = records.next().ok_or(ImportError::Empty)?;
    check_header(&header.fields)?;
    let rows: Vec<Record> = records.collect();
    match rows.len() {
        0 => return Err(ImportError::Empty),
        count if count > MAX_USERS => return Err(ImportError::TooManyUsers { count }),
        _ => {}
    }

    let mut checker = RowChecker::new(context);
    let users: Vec<ImportedUser> = rows
        .into_iter()
        .filter_map(|row| checker.check(row))
        .collect();
    if checker.errors.is_empty() {
        Ok(users)
    } else {
        Err(ImportError::Rows(checker.errors))
    }
}

/// [`parse`] for the bytes of an uploaded file, which must be UTF-8. A spreadsheet's
/// plain "CSV" export may use a legacy code page instead; that is reported as
/// [`ImportError::NotCsv`] on the line of the first byte that is not UTF-8.
///
/// # Errors
///
/// As [`parse`], plus [`ImportError::NotCsv`] for text that is not UTF-8.
pub fn parse_bytes(csv: &[u8], context: &ImportContext) -> Result<Vec<ImportedUser>, ImportError> {
    match std::str::from_utf8(csv) {
        Ok(text) => parse(text, context),
        Err(error) => {
            let valid = &csv[..error.valid_up_to()];
            Err(ImportError::NotCsv {
                line: 1 + valid.iter().filter(|&&byte| byte == b'\n').count(),
                reason: "the file is not UTF-8 text; save it as \"CSV UTF-8\"",
            })
        }
    }
}

/// Checks a user name as Connect's `CreateUser` does for an instance using SAML:
/// 1 to 64 characters from `[a-zA-Z0-9_\-.@]`, with `@` allowed only in an email
/// address form (`testuser@example.com`, not `testuser@example`). Names are
/// case-sensitive, so this says nothing about clashes. The error is a sentence fragment
/// that reads after "user login ", e.g. "must not be empty".
///
/// # Errors
///
/// What is wrong with the name, to show the user.
pub fn validate_username(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')))
    {
        return Err(format!(
            "contains {}, which is not allowed: use letters a-z and A-Z, digits, _ - . and @",
            describe_char(bad)
        ));
    }
    // Every character is ASCII from here on, so bytes and characters count alike.
    if name.len() > MAX_USERNAME_CHARS {
        return Err(format!(
            "is {} characters long; at most {MAX_USERNAME_CHARS} are allowed",
            name.len()
        ));
    }
    if name.contains('@') && !is_email_form(name) {
        return Err(
            "contains @ but is not an email address: @ is only allowed in the form testuser@example.com"
                .to_owned(),
        );
    }
    Ok(())
}

/// One `local@domain.tld`: a single `@`, something before it, and a domain of at least
/// two non-empty dot-separated labels.
fn is_email_form(name: &str) -> bool {
    let Some((local, domain)) = name.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|label| !label.is_empty())
}

/// A character named so it can be seen in a message, even when it is invisible.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab".to_owned(),
        '\n' | '\r' => "a line break".to_owned(),
        c if c.is_control() || c.is_whitespace() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

// ---------------------------------------------------------------------------------------
// Header

/// Refuses any header but the SAML template's, singling out the Connect-managed one.
fn check_header(fields: &[String]) -> Result<(), ImportError> {
    // The template's column names are ASCII, so ASCII case folding is all that is needed.
    let found: Vec<&str> = fields.iter().map(|field| field.trim()).collect();

    let managed_columns: Vec<String> = found
        .iter()
        .filter(|name| {
            let name = name.to_ascii_lowercase();
            name.contains("email address") || name.contains("password")
        })
        .map(|name| (*name).to_owned())
        .collect();
    if !managed_columns.is_empty() {
        return Err(ImportError::NonSamlTemplate {
            columns: managed_columns,
        });
    }

    let matches = found.len() == COLUMNS.len()
        && found
            .iter()
            .zip(COLUMNS)
            .all(|(found, expected)| found.eq_ignore_ascii_case(expected));
    if matches {
        Ok(())
    } else {
        Err(ImportError::WrongHeader {
            expected: SAML_TEMPLATE_HEADER,
            found: found.join(","),
        })
    }
}

/// The first place where a found header departs from the expected one, so that a typo
/// in a 200-character line need not be hunted for by eye.
fn header_difference(expected: &str, found: &str) -> String {
    let expected: Vec<&str> = expected.split(',').collect();
    let found: Vec<&str> = found.split(',').collect();
    for (index, expected_column) in expected.iter().enumerate() {
        match found.get(index) {
            Some(found_column) if found_column.eq_ignore_ascii_case(expected_column) => {}
            Some(found_column) => {
                return format!(
                    "column {} should be `{expected_column}` but is `{found_column}`",
                    index + 1
                );
            }
            None => {
                return format!(
                    "it has {} columns and stops before `{expected_column}`",
                    found.len()
                );
            }
        }
    }
    format!(
        "it has {} columns, {} more than the template (`{}` onwards)",
        found.len(),
        found.len() - expected.len(),
        found.get(expected.len()).unwrap_or(&"")
    )
}

// ---------------------------------------------------------------------------------------
// Rows

/// The `Display` of [`ImportError::Rows`]: a summary line, then one line per problem.
fn list_row_errors(errors: &[RowError]) -> String {
    let mut text = format!(
        "the file has {} error{}; no users were imported:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for error in errors {
        text.push('\n');
        text.push_str(&error.to_string());
    }
    text
}

/// Validates rows in file order, collecting every problem rather than stopping at the
/// first, and remembering user logins to catch one given twice.
struct RowChecker<'a> {
    security_profiles: HashSet<&'a str>,
    routing_profiles: HashSet<&'a str>,
    existing_users: HashSet<&'a str>,
    context: &'a ImportContext<'a>,
    /// Each valid user login seen so far, with the line it was first seen on.
    seen_logins: HashMap<String, usize>,
    errors: Vec<RowError>,
}

impl<'a> RowChecker<'a> {
    fn new(context: &'a ImportContext<'a>) -> Self {
        RowChecker {
            security_profiles: context.security_profiles.iter().copied().collect(),
            routing_profiles: context.routing_profiles.iter().copied().collect(),
            existing_users: context.existing_users.iter().copied().collect(),
            context,
            seen_logins: HashMap::new(),
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, line: usize, column: Option<&'static str>, message: String) {
        self.errors.push(RowError {
            line,
            column,
            message,
        });
    }

    /// The user on this row, or `None` after recording why there is none.
    fn check(&mut self, row: Record) -> Option<ImportedUser> {
        let line = row.line;
        let field_count = row.fields.len();
        let Ok(fields) = <[String; COLUMNS.len()]>::try_from(row.fields) else {
            self.fail(
                line,
                None,
                format!(
                    "the row has {field_count} field{}; the template has {} columns",
                    if field_count == 1 { "" } else { "s" },
                    COLUMNS.len()
                ),
            );
            return None;
        };
        let [
            first_name,
            last_name,
            login,
            routing,
            security,
            phone_type,
            phone_number,
            auto_accept,
            acw,
        ] = fields.map(|field| field.trim().to_owned());

        // Every column is checked even after one fails, so that a single upload
        // reports everything to fix.
        let first_name = self.name(line, FIRST_NAME, first_name);
        let last_name = self.name(line, LAST_NAME, last_name);
        let username = self.username(line, login);
        let routing_profile = self.routing_profile(line, routing);
        let security_profiles = self.security_profiles(line, &security);
        let phone_type = self.phone_type(line, &phone_type);
        let phone_number = self.phone_number(line, phone_type, phone_number);
        let auto_accept = self.auto_accept(line, &auto_accept);
        let acw_timeout_seconds = self.acw_timeout(line, &acw);

        Some(ImportedUser {
            first_name: first_name?,
            last_name: last_name?,
            username: username?,
            routing_profile: routing_profile?,
            security_profiles: security_profiles?,
            phone_type: phone_type?,
            phone_number: phone_number?,
            auto_accept: auto_accept?,
            acw_timeout_seconds: acw_timeout_seconds?,
        })
    }

    fn name(&mut self, line: usize, column: &'static str, value: String) -> Option<String> {
        let problem = if value.is_empty() {
            "is required".to_owned()
        } else if value.chars().any(char::is_control) {
            // A quoted cell may span lines; no name legitimately does.
            "must not contain line breaks or other control characters".to_owned()
        } else if value.chars().count() > MAX_NAME_CHARS {
            format!(
                "is {} characters long; at most {MAX_NAME_CHARS} are allowed",
                value.chars().count()
            )
        } else {
            return Some(value);
        };
        self.fail(line, Some(column), problem);
        None
    }

    fn username(&mut self, line: usize, login: String) -> Option<String> {
        if let Err(problem) = validate_username(&login) {
            self.fail(line, Some(USER_LOGIN), problem);
            return None;
        }
        if self.existing_users.contains(login.as_str()) {
            self.fail(
                line,
                Some(USER_LOGIN),
                format!(
                    "user `{login}` already exists in this instance. Bulk upload is for adding new records, not for editing existing records."
                ),
            );
            return None;
        }
        if let Some(&first_line) = self.seen_logins.get(&login) {
            self.fail(
                line,
                Some(USER_LOGIN),
                format!(
                    "`{login}` is already on line {first_line}; each user can be added only once"
                ),
            );
            return None;
        }
        self.seen_logins.insert(login.clone(), line);
        Some(login)
    }

    fn routing_profile(&mut self, line: usize, name: String) -> Option<String> {
        let problem = if name.is_empty() {
            "is required".to_owned()
        } else if self.routing_profiles.contains(name.as_str()) {
            return Some(name);
        } else {
            format!(
                "Routing profile is not found: {name}{}",
                case_hint(&name, self.context.routing_profiles)
            )
        };
        self.fail(line, Some(ROUTING_PROFILE), problem);
        None
    }

    fn security_profiles(&mut self, line: usize, value: &str) -> Option<Vec<String>> {
        if value.is_empty() {
            self.fail(
                line,
                Some(SECURITY_PROFILES),
                "is required: give one or more security profile names separated by |".to_owned(),
            );
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        let mut valid = true;
        for name in value.split('|').map(str::trim) {
            let problem = if name.is_empty() {
                "has an empty security profile name (two | in a row, or one at an end)".to_owned()
            } else if !self.security_profiles.contains(name) {
                format!(
                    "Security profile is not found: {name}{}",
                    case_hint(name, self.context.security_profiles)
                )
            } else {
                // Naming a profile twice grants nothing more; keep it once.
                if !names.iter().any(|known| known == name) {
                    names.push(name.to_owned());
                }
                continue;
            };
            self.fail(line, Some(SECURITY_PROFILES), problem);
            valid = false;
        }
        valid.then_some(names)
    }

    fn phone_type(&mut self, line: usize, value: &str) -> Option<PhoneType> {
        if value.eq_ignore_ascii_case("soft") {
            Some(PhoneType::Soft)
        } else if value.eq_ignore_ascii_case("desk") {
            Some(PhoneType::Desk)
        } else {
            let problem = if value.is_empty() {
                "is required: soft or desk".to_owned()
            } else {
                format!("must be soft or desk, not `{value}`")
            };
            self.fail(line, Some(PHONE_TYPE), problem);
            None
        }
    }

    /// `Some(number)` when valid; the outer `None` means the cell was rejected. The
    /// requirement that a desk phone has a number is checked only when the phone type
    /// itself is valid, so one mistake is not reported twice.
    fn phone_number(
        &mut self,
        line: usize,
        phone_type: Option<PhoneType>,
        value: String,
    ) -> Option<Option<String>> {
        let problem = if value.is_empty() {
            if phone_type == Some(PhoneType::Desk) {
                "is required for a desk phone, in E.164 form such as +12065550100".to_owned()
            } else {
                return Some(None);
            }
        } else if is_e164(&value) {
            return Some(Some(value));
        } else {
            // Spreadsheets drop the + or show long numbers as 1.2E+10; say what is wanted.
            format!(
                "`{value}` is not in E.164 form: + then 8 to 15 digits, no spaces, such as +12065550100"
            )
        };
        self.fail(line, Some(PHONE_NUMBER), problem);
        None
    }

    fn auto_accept(&mut self, line: usize, value: &str) -> Option<bool> {
        if value.is_empty() || value.eq_ignore_ascii_case("no") {
            Some(false)
        } else if value.eq_ignore_ascii_case("yes") {
            Some(true)
        } else {
            self.fail(
                line,
                Some(AUTO_ACCEPT),
                format!("must be yes or no (or empty for no), not `{value}`"),
            );
            None
        }
    }

    /// `Some(None)` for an empty cell; the outer `None` means the cell was rejected.
    fn acw_timeout(&mut self, line: usize, value: &str) -> Option<Option<u32>> {
        if value.is_empty() {
            return Some(None);
        }
        // `u32::from_str` would also take a leading +; the template wants plain digits.
        let plain_digits = value.bytes().all(|byte| byte.is_ascii_digit());
        match value.parse::<u32>() {
            Ok(seconds) if plain_digits && seconds <= MAX_ACW_TIMEOUT_SECONDS => {
                Some(Some(seconds))
            }
            _ => {
                self.fail(
                    line,
                    Some(ACW_TIMEOUT),
                    format!(
                        "must be a whole number of seconds from 0 (no limit) to {MAX_ACW_TIMEOUT_SECONDS}, or empty, not `{value}`"
                    ),
                );
                None
            }
        }
    }
}

/// `+` then 8 to 15 digits.
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|byte| byte.is_ascii_digit())
    })
}

/// " (names are case-sensitive; did you mean X?)" when a known name differs only in case.
fn case_hint(name: &str, known: &[&str]) -> String {
    known
        .iter()
        .find(|candidate| candidate.to_lowercase() == name.to_lowercase())
        .map(|candidate| format!(" (names are case-sensitive; did you mean {candidate}?)"))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// CSV reading

/// One CSV record and the physical line it starts on.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    line: usize,
    fields: Vec<String>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|field| field.trim().is_empty())
    }
}

/// Where the quote scan is within a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace read yet: the field may still open with a quote.
    FieldStart,
    /// Inside a field that did not open with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// After a quoted field's closing quote, where only whitespace may follow.
    AfterQuoted,
}

/// Splits RFC 4180 text into records; see the module documentation for what is
/// accepted. Field values are returned untrimmed; line breaks inside quoted fields
/// become `\n`.
///
/// The `csv` crate reads the records. It is lenient where this module promises a
/// diagnosis (a stray quote is read as text, an unclosed quote runs to the end of
/// the file) and takes whitespace before an opening quote as part of an unquoted
/// field, so [`normalise`] first checks the quoting, naming the line of a fault,
/// and hands it text the crate reads as intended.
fn read_records(text: &str) -> Result<Vec<Record>, ImportError> {
    let text = normalise(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    // The reader's own line count misses the empty lines it skips: lines are
    // counted here from where each record starts, past any line breaks before it.
    let (mut counted_to, mut line) = (0, 1);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let mut start = record
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(counted_to)
                    .clamp(counted_to, text.len());
                while text.as_bytes().get(start) == Some(&b'\n') {
                    start += 1;
                }
                line += text.as_bytes()[counted_to..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = start;
                records.push(Record {
                    line,
                    fields: record.iter().map(str::to_owned).collect(),
                });
            }
            Ok(false) => return Ok(records),
            // Reading from a `&str` fails only on I/O or UTF-8, which cannot happen.
            Err(error) => {
                return Err(ImportError::NotCsv {
                    line: error
                        .position()
                        .and_then(|p| usize::try_from(p.line()).ok())
                        .unwrap_or(1),
                    reason: "the CSV reader failed",
                });
            }
        }
    }
}

/// The text with every line break (CRLF, LF, lone CR) made LF and the whitespace
/// around quoted fields removed, after checking that quotes only open, close or
/// double inside quoted fields; a fault is [`ImportError::NotCsv`] on its line.
fn normalise(text: &str) -> Result<String, ImportError> {
    let mut clean = String::with_capacity(text.len());
    // Whitespace at the start of a field: part of the value unless a quote follows.
    let mut leading = String::new();
    let mut state = State::FieldStart;
    let mut line = 1;
    let mut quote_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                // A CR directly before an LF belongs to that line break.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                '\n'
            }
            c => c,
        };
        match state {
            State::Quoted => match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    clean.push_str("\"\"");
                }
                '"' => {
                    clean.push('"');
                    state = State::AfterQuoted;
                }
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    clean.push(c);
                }
            },
            _ if c == ',' || c == '\n' => {
                clean.push_str(&std::mem::take(&mut leading));
                clean.push(c);
                if c == '\n' {
                    line += 1;
                }
                state = State::FieldStart;
            }
            State::FieldStart => match c {
                '"' => {
                    // Whitespace before an opening quote is not part of the value.
                    leading.clear();
                    clean.push('"');
                    quote_line = line;
                    state = State::Quoted;
                }
                ' ' | '\t' => leading.push(c),
                _ => {
                    clean.push_str(&std::mem::take(&mut leading));
                    clean.push(c);
                    state = State::Unquoted;
                }
            },
            State::Unquoted => {
                if c == '"' {
                    return Err(ImportError::NotCsv {
                        line,
                        reason: "a double quote inside a field that does not start with one; put the whole field in quotes and double the quote",
                    });
                }
                clean.push(c);
            }
            // Whitespace after the closing quote is not part of the value either.
            State::AfterQuoted => {
                if !matches!(c, ' ' | '\t') {
                    return Err(ImportError::NotCsv {
                        line,
                        reason: "text after the closing quote of a field; a quote inside a quoted field must be doubled",
                    });
                }
            }
        }
    }
    if state == State::Quoted {
        return Err(ImportError::NotCsv {
            line: quote_line,
            reason: "a quoted field is never closed",
        });
    }
    clean.push_str(&leading);
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURITY: &[&str] = &["Admin", "Agent", "CallCenterManager", "QualityAnalyst"];
    const ROUTING: &[&str] = &["Basic Routing Profile", "Sales"];
    const EXISTING: &[&str] = &["admin", "existing.agent"];

    fn context() -> ImportContext<'static> {
        ImportContext {
            security_profiles: SECURITY,
            routing_profiles: ROUTING,
            existing_users: EXISTING,
        }
    }

    /// The SAML template header followed by `rows`, LF-terminated.
    fn file(rows: &[&str]) -> String {
        let mut text = format!("{SAML_TEMPLATE_HEADER}\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text
    }

    fn row_errors(csv: &str) -> Vec<RowError> {
        match parse(csv, &context()) {
            Err(ImportError::Rows(errors)) => errors,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    /// The single error reported for a file with one bad row.
    fn only_error(row: &str) -> RowError {
        let errors = row_errors(&file(&[row]));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors.into_iter().next().unwrap()
    }

    const VALID_ROWS: [&str; 4] = [
        "John,Doe,jdoe,Basic Routing Profile,Agent,soft,,yes,30",
        "Jane,Doe,JDoe,Sales,Agent|CallCenterManager,desk,+12065550100,no,0",
        "Test,User,testuser@example.com,Basic Routing Profile,Admin,SOFT,+441632960961,,",
        "Ann,Other,a.b-c_d,Sales,QualityAnalyst | Agent,Desk,+33123456789,YES,2000000",
    ];

    #[test]
    fn the_column_list_spells_the_template_header() {
        assert_eq!(COLUMNS.join(","), SAML_TEMPLATE_HEADER);
        assert!(CONNECT_MANAGED_TEMPLATE_HEADER.contains("email address,password"));
    }

    #[test]
    fn parses_valid_users_of_the_saml_template() {
        let users = parse(&file(&VALID_ROWS), &context()).unwrap();
        assert_eq!(users.len(), 4);
        assert_eq!(
            users[0],
            ImportedUser {
                first_name: "John".into(),
                last_name: "Doe".into(),
                username: "jdoe".into(),
                routing_profile: "Basic Routing Profile".into(),
                security_profiles: vec!["Agent".into()],
                phone_type: PhoneType::Soft,
                phone_number: None,
                auto_accept: true,
                acw_timeout_seconds: Some(30),
            }
        );
        // User names are case-sensitive: jdoe and JDoe are two users.
        assert_eq!(users[1].username, "JDoe");
        assert_eq!(users[1].phone_type, PhoneType::Desk);
        assert_eq!(users[1].phone_number.as_deref(), Some("+12065550100"));
        assert_eq!(users[1].security_profiles, ["Agent", "CallCenterManager"]);
        assert!(!users[1].auto_accept);
        assert_eq!(users[1].acw_timeout_seconds, Some(0));
        assert_eq!(users[2].username, "testuser@example.com");
        assert_eq!(users[2].phone_type, PhoneType::Soft);
        assert_eq!(users[2].phone_number.as_deref(), Some("+441632960961"));
        assert!(!users[2].auto_accept, "an empty cell means no");
        assert_eq!(users[2].acw_timeout_seconds, None);
        assert_eq!(users[3].security_profiles, ["QualityAnalyst", "Agent"]);
        assert!(users[3].auto_accept);
        assert_eq!(users[3].acw_timeout_seconds, Some(2_000_000));
        assert_eq!(PhoneType::Desk.api_name(), "DESK_PHONE");
    }

    #[test]
    fn header_is_compared_case_insensitively_and_trimmed() {
        let header = SAML_TEMPLATE_HEADER
            .split(',')
            .map(|column| format!("  {}\t", column.to_uppercase()))
            .collect::<Vec<_>>()
            .join(",");
        let csv = format!("{header}\n{}\n", VALID_ROWS[0]);
        assert_eq!(parse(&csv, &context()).unwrap().len(), 1);
    }

    #[test]
    fn refuses_the_connect_managed_template() {
        let csv = format!(
            "{CONNECT_MANAGED_TEMPLATE_HEADER}\nJohn,Doe,jdoe@example.com,Passw0rd!,jdoe,Sales,Agent,soft,,yes,30\n"
        );
        let error = parse(&csv, &context()).unwrap_err();
        let ImportError::NonSamlTemplate { columns } = &error else {
            panic!("expected NonSamlTemplate, got {error:?}");
        };
        assert_eq!(columns, &["email address", "password"]);
        let message = error.to_string();
        assert!(message.starts_with(
            "this file is the template for instances that manage users in Amazon Connect"
        ));
        assert!(message.contains("download the SAML template from User management"));

        // The longer current variant, in upper case, is recognised too.
        let longer = "First Name,Last Name,Email Address,Secondary Email Address,Mobile,Password,User Login,Routing Profile Name,security_profile_name_1|security_profile_name_2,Phone Type (soft/desk),Phone Number,Soft Phone Auto Accept (yes/no),ACW Timeout (seconds),Agent Hierarchy,user_hierarchy_1|user_hierarchy_2,Tags";
        assert!(matches!(
            parse(&format!("{longer}\n"), &context()),
            Err(ImportError::NonSamlTemplate { columns }) if columns.len() == 3
        ));
    }

    #[test]
    fn refuses_a_header_with_a_typo() {
        let header = SAML_TEMPLATE_HEADER.replace("routing profile name", "routing profle name");
        let error = parse(&format!("{header}\n{}\n", VALID_ROWS[0]), &context()).unwrap_err();
        let ImportError::WrongHeader { expected, found } = &error else {
            panic!("expected WrongHeader, got {error:?}");
        };
        assert_eq!(*expected, SAML_TEMPLATE_HEADER);
        assert_eq!(found, &header);
        assert!(
            error
                .to_string()
                .contains("column 4 should be `routing profile name` but is `routing profle name`"),
            "{error}"
        );
    }

    #[test]
    fn refuses_reordered_missing_or_extra_header_columns() {
        let reordered =
            SAML_TEMPLATE_HEADER.replacen("first name,last name", "last name,first name", 1);
        let missing = SAML_TEMPLATE_HEADER.trim_end_matches(",ACW timeout (seconds)");
        let tags = format!("{SAML_TEMPLATE_HEADER},tags");
        for header in [reordered.as_str(), missing, &tags] {
            let csv = format!("{header}\n{}\n", VALID_ROWS[0]);
            assert!(
                matches!(
                    parse(&csv, &context()),
                    Err(ImportError::WrongHeader { .. })
                ),
                "{header}"
            );
        }
        let error = parse(&format!("{missing}\n"), &context()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("stops before `ACW timeout (seconds)`"),
            "{error}"
        );
        let error = parse(&format!("{tags}\n"), &context()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("1 more than the template (`tags` onwards)"),
            "{error}"
        );
    }

    #[test]
    fn refuses_a_file_without_users() {
        for csv in ["", "\u{feff}", "\n\r\n\n", ",,,\n"] {
            assert!(
                matches!(parse(csv, &context()), Err(ImportError::Empty)),
                "{csv:?}"
            );
        }
        assert!(matches!(
            parse(&file(&[]), &context()),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse(&file(&["", ",,,,,,,,"]), &context()),
            Err(ImportError::Empty)
        ));
    }

    #[test]
    fn accepts_1000_users_and_refuses_1001() {
        let rows: Vec<String> = (0..=MAX_USERS)
            .map(|i| format!("First,Last,user{i},Sales,Agent,soft,,,"))
            .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let users = parse(&file(&rows[..MAX_USERS]), &context()).unwrap();
        assert_eq!(users.len(), MAX_USERS);
        let error = parse(&file(&rows), &context()).unwrap_err();
        assert!(
            matches!(error, ImportError::TooManyUsers { count: 1001 }),
            "{error:?}"
        );
        assert!(error.to_string().contains("at most 1000"));
    }

    #[test]
    fn reports_a_missing_or_overlong_name() {
        let error = only_error(",Doe,jdoe,Sales,Agent,soft,,,");
        assert_eq!((error.line, error.column), (2, Some(FIRST_NAME)));
        assert_eq!(error.message, "is required");

        let long = "x".repeat(101);
        let error = only_error(&format!("John,{long},jdoe,Sales,Agent,soft,,,"));
        assert_eq!((error.line, error.column), (2, Some(LAST_NAME)));
        assert!(error.message.contains("101 characters"), "{error}");
        // 100 characters, counted as characters rather than bytes, is fine.
        let accented = "é".repeat(100);
        let csv = file(&[&format!("{accented},Doe,jdoe,Sales,Agent,soft,,,")]);
        assert_eq!(parse(&csv, &context()).unwrap()[0].first_name, accented);
    }

    #[test]
    fn reports_an_invalid_user_login() {
        let error = only_error("John,Doe,o'brien,Sales,Agent,soft,,,");
        assert_eq!((error.line, error.column), (2, Some(USER_LOGIN)));
        assert!(error.message.contains("`'`"), "{error}");
        let error = only_error("John,Doe,,Sales,Agent,soft,,,");
        assert_eq!(
            (error.column, error.message.as_str()),
            (Some(USER_LOGIN), "must not be empty")
        );
    }

    #[test]
    fn reports_a_user_login_given_twice_on_the_second_line() {
        let errors = row_errors(&file(&[
            "John,Doe,jdoe,Sales,Agent,soft,,,",
            "Jane,Roe,jroe,Sales,Agent,soft,,,",
            "Jack,Doe,jdoe,Sales,Agent,soft,,,",
        ]));
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (4, Some(USER_LOGIN)));
        assert!(
            errors[0].message.contains("already on line 2"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn reports_a_user_that_already_exists() {
        let error = only_error("Ex,Isting,existing.agent,Sales,Agent,soft,,,");
        assert_eq!((error.line, error.column), (2, Some(USER_LOGIN)));
        assert!(
            error.message.ends_with(
                "Bulk upload is for adding new records, not for editing existing records."
            ),
            "{error}"
        );
        // Case-sensitive: `Admin` is not the existing `admin`.
        assert!(parse(&file(&["Ad,Min,Admin,Sales,Agent,soft,,,"]), &context()).is_ok());
    }

    #[test]
    fn reports_unknown_routing_and_security_profiles() {
        let error = only_error("John,Doe,jdoe,Marketing,Agent,soft,,,");
        assert_eq!(error.column, Some(ROUTING_PROFILE));
        assert_eq!(error.message, "Routing profile is not found: Marketing");
        let error = only_error("John,Doe,jdoe,sales,Agent,soft,,,");
        assert!(error.message.contains("did you mean Sales?"), "{error}");
        let error = only_error("John,Doe,jdoe,,Agent,soft,,,");
        assert_eq!(
            (error.column, error.message.as_str()),
            (Some(ROUTING_PROFILE), "is required")
        );

        let errors = row_errors(&file(&[
            "John,Doe,jdoe,Sales,Agent|Supervisor|Auditor,soft,,,",
        ]));
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Security profile is not found: Supervisor",
                "Security profile is not found: Auditor"
            ]
        );
        assert!(
            errors
                .iter()
                .all(|e| e.column == Some(SECURITY_PROFILES) && e.line == 2)
        );
        let error = only_error("John,Doe,jdoe,Sales,Agent||Admin,soft,,,");
        assert!(
            error.message.contains("empty security profile name"),
            "{error}"
        );
        let error = only_error("John,Doe,jdoe,Sales,,soft,,,");
        assert!(error.message.starts_with("is required"), "{error}");
    }

    #[test]
    fn a_repeated_security_profile_is_kept_once() {
        let users = parse(
            &file(&["John,Doe,jdoe,Sales,Agent|Admin|Agent,soft,,,"]),
            &context(),
        )
        .unwrap();
        assert_eq!(users[0].security_profiles, ["Agent", "Admin"]);
    }

    #[test]
    fn reports_bad_phone_settings() {
        let error = only_error("John,Doe,jdoe,Sales,Agent,mobile,,,");
        assert_eq!(error.column, Some(PHONE_TYPE));
        assert!(error.message.contains("`mobile`"), "{error}");
        let error = only_error("John,Doe,jdoe,Sales,Agent,,,,");
        assert_eq!(
            (error.column, error.message.as_str()),
            (Some(PHONE_TYPE), "is required: soft or desk")
        );

        let error = only_error("John,Doe,jdoe,Sales,Agent,desk,,,");
        assert_eq!(error.column, Some(PHONE_NUMBER));
        assert!(
            error.message.contains("required for a desk phone"),
            "{error}"
        );
        for number in [
            "12065550100",
            "+1 206 555 0100",
            "+1234567",
            "+1234567890123456",
            "1.2E+10",
        ] {
            let error = only_error(&format!("John,Doe,jdoe,Sales,Agent,desk,{number},,"));
            assert_eq!(error.column, Some(PHONE_NUMBER), "{number}");
            assert!(error.message.contains("E.164"), "{error}");
        }
        assert!(
            parse(
                &file(&["J,D,jdoe,Sales,Agent,desk,+12345678,,"]),
                &context()
            )
            .is_ok()
        );
        assert!(
            parse(
                &file(&["J,D,jdoe,Sales,Agent,desk,+123456789012345,,"]),
                &context()
            )
            .is_ok()
        );

        let error = only_error("John,Doe,jdoe,Sales,Agent,soft,,maybe,");
        assert_eq!(error.column, Some(AUTO_ACCEPT));
        assert!(error.message.contains("`maybe`"), "{error}");
    }

    #[test]
    fn reports_a_bad_acw_timeout() {
        for value in [
            "-1",
            "2000001",
            "+5",
            "30.0",
            "thirty",
            "99999999999999999999",
        ] {
            let error = only_error(&format!("John,Doe,jdoe,Sales,Agent,soft,,,{value}"));
            assert_eq!(
                (error.line, error.column),
                (2, Some(ACW_TIMEOUT)),
                "{value}"
            );
            assert!(error.message.contains(&format!("not `{value}`")), "{error}");
        }
    }

    #[test]
    fn reports_a_row_with_the_wrong_number_of_fields() {
        let error = only_error("John,Doe,jdoe,Sales,Agent,soft,,");
        assert_eq!((error.line, error.column), (2, None));
        assert_eq!(
            error.message,
            "the row has 8 fields; the template has 9 columns"
        );
        let error = only_error("jdoe");
        assert_eq!(
            error.message,
            "the row has 1 field; the template has 9 columns"
        );
        let error = only_error("John,Doe,jdoe,Sales,Agent,soft,,,,");
        assert!(
            error.message.starts_with("the row has 10 fields"),
            "{error}"
        );
    }

    #[test]
    fn reports_every_error_of_every_row_at_once() {
        let csv = file(&[
            VALID_ROWS[0],
            "",
            ",Doe,bad login,Nowhere,Ghost,desk,,perhaps,-3",
            VALID_ROWS[1],
            "too,few",
            "Jack,Doe,jdoe,Sales,Agent,soft,,,",
        ]);
        let errors = row_errors(&csv);
        let found: Vec<(usize, Option<&str>)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            found,
            [
                (4, Some(FIRST_NAME)),
                (4, Some(USER_LOGIN)),
                (4, Some(ROUTING_PROFILE)),
                (4, Some(SECURITY_PROFILES)),
                (4, Some(PHONE_NUMBER)),
                (4, Some(AUTO_ACCEPT)),
                (4, Some(ACW_TIMEOUT)),
                (6, None),
                (7, Some(USER_LOGIN)),
            ]
        );
        let message = ImportError::Rows(errors).to_string();
        assert!(message.starts_with("the file has 9 errors; no users were imported:\n"));
        assert!(
            message.contains("\nline 4: column user login: contains a space"),
            "{message}"
        );
        assert!(
            message.contains("\nline 6: the row has 2 fields"),
            "{message}"
        );
        assert!(
            message.contains("\nline 7: column user login: `jdoe` is already on line 2"),
            "{message}"
        );
    }

    #[test]
    fn reads_quoted_fields_with_commas_quotes_and_line_breaks() {
        let records =
            read_records("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",  \"padded\"  ,\"\"\nlast")
                .unwrap();
        assert_eq!(
            records,
            [
                Record {
                    line: 1,
                    fields: vec!["a".into(), "b,c".into(), "say \"hi\"".into()],
                },
                Record {
                    line: 2,
                    fields: vec!["two\nlines".into(), "padded".into(), String::new()],
                },
                Record {
                    line: 4,
                    fields: vec!["last".into()],
                },
            ]
        );
    }

    #[test]
    fn quoted_values_reach_the_users_and_multi_line_fields_advance_line_numbers() {
        let csv = file(&[
            "\"Doe, John\",\"O\"\"Neil\",jdoe,\"Basic Routing Profile\",\"Agent|Admin\",soft,,,",
            "\"Two\nLines\",Doe,jroe,Sales,Agent,soft,,,",
            "Bad,Row,bad login,Sales,Agent,soft,,,",
        ]);
        let errors = row_errors(&csv);
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column))
                .collect::<Vec<_>>(),
            [(3, Some(FIRST_NAME)), (5, Some(USER_LOGIN))]
        );
        assert!(errors[0].message.contains("line breaks"), "{}", errors[0]);

        let users = parse(&file(&[csv.lines().nth(1).unwrap()]), &context()).unwrap();
        assert_eq!(users[0].first_name, "Doe, John");
        assert_eq!(users[0].last_name, "O\"Neil");
        assert_eq!(users[0].security_profiles, ["Agent", "Admin"]);
    }

    #[test]
    fn ignores_a_byte_order_mark_and_accepts_crlf_and_cr_line_ends() {
        let lf = file(&VALID_ROWS);
        let expected = parse(&lf, &context()).unwrap();
        let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        assert_eq!(parse(&crlf, &context()).unwrap(), expected);
        let cr = lf.replace('\n', "\r");
        assert_eq!(parse(&cr, &context()).unwrap(), expected);
        // No line break after the last row is fine too.
        assert_eq!(parse(lf.trim_end(), &context()).unwrap(), expected);

        // Line numbers count CRLF as one line end.
        let bad = file(&["", "J,D,bad login,Sales,Agent,soft,,,"]).replace('\n', "\r\n");
        assert_eq!(row_errors(&bad)[0].line, 3);
        let records = read_records("a\r\n\"b\r\nc\"\r\nd").unwrap();
        assert_eq!(records[1].fields, ["b\nc"]);
        assert_eq!(records[2].line, 4);
    }

    #[test]
    fn refuses_malformed_csv_naming_the_line() {
        let cases = [
            ("a,b\n\"open,c\nd\n", 2, "never closed"),
            ("a,b\nc,d\"e\n", 2, "does not start with one"),
            ("a\n\"b\"c\n", 2, "after the closing quote"),
        ];
        for (csv, line, reason) in cases {
            match read_records(csv) {
                Err(ImportError::NotCsv {
                    line: found,
                    reason: why,
                }) => {
                    assert_eq!(found, line, "{csv:?}");
                    assert!(why.contains(reason), "{why}");
                }
                other => panic!("{csv:?}: expected NotCsv, got {other:?}"),
            }
        }
        let error =
            parse(&format!("{SAML_TEMPLATE_HEADER}\n\"John,Doe\n"), &context()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2: the file is not a valid CSV file: a quoted field is never closed"
        );
    }

    #[test]
    fn parse_bytes_refuses_text_that_is_not_utf8() {
        let mut csv = file(&["John,Doe,jdoe,Sales,Agent,soft,,,"]).into_bytes();
        assert_eq!(parse_bytes(&csv, &context()).unwrap().len(), 1);
        csv.extend_from_slice(b"Ren\xe9,Doe,rdoe,Sales,Agent,soft,,,\n");
        assert!(matches!(
            parse_bytes(&csv, &context()),
            Err(ImportError::NotCsv { line: 3, .. })
        ));
    }

    #[test]
    fn validates_user_names_as_create_user_does() {
        for valid in [
            "alice",
            "a.b-c_d",
            "testuser@example.com",
            "JDoe",
            "x",
            &"a".repeat(64),
        ] {
            assert_eq!(validate_username(valid), Ok(()), "{valid}");
        }
        for invalid in [
            "testuser@example",
            "@example.com",
            "a@b@c.com",
            "a@.com",
            "a@example.",
            "o'brien",
            "mary ann",
            "",
            "josé",
            "tab\there",
            &"a".repeat(65),
        ] {
            assert!(validate_username(invalid).is_err(), "{invalid:?}");
        }
        assert_eq!(
            validate_username(&"a".repeat(65)).unwrap_err(),
            "is 65 characters long; at most 64 are allowed"
        );
        assert!(
            validate_username("mary ann")
                .unwrap_err()
                .contains("a space")
        );
        assert!(
            validate_username("a@b@c.com")
                .unwrap_err()
                .contains("not an email address")
        );
    }

    #[test]
    fn never_panics_on_any_prefix_of_a_file() {
        let text = format!(
            "\u{feff}{SAML_TEMPLATE_HEADER}\r\n\"Doe, \"\"J\"\"\",Zoë,jdoe,Sales,\"Agent|\nAdmin\",desk,+12065550100,yes,30\r\n,,\n"
        );
        for (end, _) in text.char_indices() {
            let _ = parse(&text[..end], &context());
        }
        for end in 0..=text.len() {
            let _ = parse_bytes(&text.as_bytes()[..end], &context());
        }
        let _ = parse(&text, &context());
    }
}
