//! Root causes: the failures and warnings of a run grouped by what explains them, so that one
//! fault in a receiver reads as one diagnosis with one fix, not as many unrelated ones.
//!
//! First the faults that explain every refused request at once (a wrong path, a refused auth
//! header, a parser that refuses awork's envelope, nothing answering in time); then the cases'
//! failures that share an answer (the same status and body, the same exception text) or one
//! event type are joined into one cause: a case whose requests got different answers (a
//! `KeyError` on one type, a `ValueError` on timestamps) is in each of their causes. An event type is blamed only on evidence: two failed
//! requests of it or more, and none of it taken (answered 2xx where a 2xx was needed) anywhere in
//! the run; one slow or refused request, or a type the receiver took elsewhere, says nothing of
//! the type. A case left alone is its own cause, with its own fix. This module reads the case
//! reports; it sends nothing.

use std::collections::BTreeSet;

use awork_models::{EventType, Naming};
use serde::Serialize;

use crate::cases::CaseId;
use crate::probes::Expected;
use crate::report::text::on_one_line;
use crate::report::{Answer, CaseReport, Outcome, RequestRecord, Settings};
use crate::runner::tally;

/// One root cause of failures and warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// What went wrong, in one sentence that names what was seen.
    pub summary: String,
    /// The cases it explains, in the suite's order.
    pub cases: Vec<CaseId>,
    /// How to fix it.
    pub fix: String,
}

/// How many characters of a body make its signature: enough for an exception's text.
const SIGNATURE_CHARS: usize = 200;

/// The fix of a receiver that throttles the events (429).
const THROTTLED_FIX: &str = "exempt awork's webhook calls from the rate limit, or set it well above awork's pace (a bulk change in awork sends an event per changed item at once): awork counts a 429 as a failed attempt and retries it later, so a throttled event arrives late, after later ones, and more than 10 in a row pause the integration";

/// The fix of answers whose head came in time and whose body never ended.
const UNENDED_BODY_FIX: &str = "end every answer's body: send Content-Length with it (or chunked encoding), or `Connection: close` and close the connection after it; an HTTP/1.1 connection stays open unless the answer says otherwise, so awork waits for the end of a body that never comes and counts the 2xx as a timeout";

/// The fix of connections closed under requests whose events the receiver takes otherwise.
const CLOSED_CONNECTIONS_FIX: &str = "keep connections open between answers, or close them only after an answer that says `Connection: close` (RFC 9112 §9.6: a server that closes after each answer must say so): the check, as awork's client, sends the next event on a connection kept open, and one the receiver closes meanwhile loses that event (a failed attempt, retried later); so it fails here and there, a different case each run";

/// How many event types a summary names before it counts the rest.
const TYPES_NAMED: usize = 12;

/// The causes of the failed and warned cases among `cases`.
pub(crate) fn find(cases: &[CaseReport], settings: &Settings, path: &str) -> Vec<Cause> {
    let troubled: Vec<&CaseReport> = cases
        .iter()
        .filter(|case| matches!(case.outcome, Outcome::Fail | Outcome::Warn))
        .collect();
    if troubled.is_empty() {
        return Vec::new();
    }
    if let Some(cause) = one_fault_for_all(cases, &troubled, settings, path) {
        return vec![cause];
    }
    let taken_names = taken_names(cases);
    // The event types (their API names) taken: a failure of such a type is not the type's,
    // something else about the request failed.
    let taken_kinds = taken_names.iter().map(|name| kind_of(name)).collect();
    grouped(&troubled, &taken_kinds, &taken_names)
}

/// The event names, as spelled, the receiver took in the run: of a request that needed a 2xx
/// and got one.
fn taken_names(cases: &[CaseReport]) -> BTreeSet<String> {
    cases
        .iter()
        .flat_map(own_requests)
        .filter(|request| request.ok && request.expected == Expected::Success.as_str())
        .map(|request| request.event_type.clone())
        .collect()
}

/// The requests a case sent itself (the cases that judge every request list others' too).
fn own_requests(case: &CaseReport) -> impl Iterator<Item = &RequestRecord> {
    case.requests
        .iter()
        .filter(move |request| request.case == case.id)
}

/// A fault that every request expecting 2xx shows, when there is one: then every failed or warned
/// case is explained by it.
fn one_fault_for_all(
    cases: &[CaseReport],
    troubled: &[&CaseReport],
    settings: &Settings,
    path: &str,
) -> Option<Cause> {
    let wanting_success: Vec<&RequestRecord> = cases
        .iter()
        .flat_map(own_requests)
        .filter(|request| request.expected == Expected::Success.as_str())
        .collect();
    let first = *wanting_success.first()?;
    if wanting_success.len() < 2 || wanting_success.iter().any(|request| request.ok) {
        return None;
    }
    let same_answer = wanting_success
        .iter()
        .all(|request| signature(&request.answer) == signature(&first.answer));
    let same_status = first.answer.status().filter(|status| {
        wanting_success
            .iter()
            .all(|request| request.answer.status() == Some(*status))
    });
    let count = wanting_success.len();
    let (summary, fix) = match (same_status, same_answer) {
        (Some(status @ (404 | 405)), _) => (
            format!(
                "all {count} requests meant to be accepted were answered {}: nothing takes awork's POST at the path `{path}`",
                status_text(status)
            ),
            "check the URL's path: awork POSTs to exactly the URL registered on the webhook (path and trailing slash included); point --url at the route that handles the webhook".to_owned(),
        ),
        (Some(status @ (401 | 403)), _) => match &settings.auth_header_name {
            Some(name) => (
                format!(
                    "all {count} requests meant to be accepted were answered {} although they carried the auth header `{name}` as given: the receiver expects another header name or value",
                    status_text(status)
                ),
                "check the header's name and value against the receiver's configuration (awork sends exactly the `Name: value` configured on the webhook, in one header); a stray space, quote or `Bearer ` prefix is a different value".to_owned(),
            ),
            None => (
                format!(
                    "all {count} requests meant to be accepted were answered {}, and no auth header was given: the receiver requires one",
                    status_text(status)
                ),
                "give the check the header the receiver expects: `--auth-header 'Name: value'`, or the AWORK_SIM_AUTH_HEADER variable".to_owned(),
            ),
        },
        (Some(status @ 300..=399), _) => {
            let location = match &first.answer {
                Answer::Status {
                    location: Some(location),
                    ..
                } => format!(" to `{location}`"),
                _ => String::new(),
            };
            (
                format!(
                    "all {count} requests meant to be accepted were answered {}{location}: awork does not follow redirects, so not one event would arrive",
                    status_text(status)
                ),
                format!(
                    "{}; check that URL with --url first",
                    CaseId::NoRedirect.advice()
                ),
            )
        }
        (Some(429), _) => (
            format!(
                "all {count} requests meant to be accepted were answered 429 Too Many Requests: the receiver limits how fast it takes events, and took none of the check's"
            ),
            THROTTLED_FIX.to_owned(),
        ),
        (Some(400), _) if speaks_https(&first.answer) => (
            format!(
                "all {count} requests meant to be accepted were answered {}: the receiver speaks HTTPS at this port",
                answer_text(&first.answer)
            ),
            "use the receiver's https:// URL (--insecure takes a self-signed or private-CA certificate)".to_owned(),
        ),
        (Some(400..=499), true) => (
            format!(
                "all {count} events were refused with the same answer, {}: the receiver's parser refuses awork's envelope itself; first request: {}",
                answer_text(&first.answer),
                request_text(first)
            ),
            "read the envelope as awork sends it (`awork-sim generate --count 1` shows one; fixtures/ has one of each type): parse only what you use and tolerate the rest; replay a failed request with `awork-sim send --url URL FILE` (`--save-failed DIR` writes them) while you fix it".to_owned(),
        ),
        (None, true)
            if wanting_success
                .iter()
                .all(|request| request.answer.is_unended_body()) =>
        {
            (
                format!(
                    "none of the {count} requests got a whole answer within the timeout: {}",
                    answer_text(&first.answer).trim_start_matches("timeout: ")
                ),
                UNENDED_BODY_FIX.to_owned(),
            )
        }
        (None, true) if first.answer.is_timeout() => (
            format!("none of the {count} requests was answered within the timeout"),
            CaseId::RespondsInTime.advice().to_owned(),
        ),
        (None, true) if matches!(first.answer, Answer::Error { error: "tls", .. }) => (
            format!(
                "none of the {count} requests got an answer: {}",
                answer_text(&first.answer)
            ),
            // The TLS error's own text says which (a certificate the check cannot verify, or
            // plain HTTP at an https URL).
            "fix what the TLS error above names: a self-signed or private-CA certificate is taken with --insecure; a receiver that speaks plain HTTP needs its http:// URL".to_owned(),
        ),
        (None, true) => (
            format!(
                "none of the {count} requests got an answer: {}",
                answer_text(&first.answer)
            ),
            "check that the receiver serves HTTP at the URL (scheme, host and port) and stays up while requests arrive".to_owned(),
        ),
        _ => return None,
    };
    Some(Cause {
        summary,
        cases: troubled.iter().map(|case| case.id).collect(),
        fix,
    })
}

/// Whether `answer` is a TLS server's answer to plain HTTP, as Go's (`Client sent an HTTP request
/// to an HTTPS server.`) and nginx's (`The plain HTTP request was sent to HTTPS port`) read.
fn speaks_https(answer: &Answer) -> bool {
    let Answer::Status { body, .. } = answer else {
        return false;
    };
    let body = body.to_ascii_lowercase();
    body.contains("http request to an https server")
        || body.contains("plain http request was sent to https port")
}

/// Whether every one of `requests` was answered 429: the receiver throttled them, whatever
/// they held.
fn all_throttled(requests: &[&RequestRecord]) -> bool {
    !requests.is_empty()
        && requests
            .iter()
            .all(|request| request.answer.status() == Some(429))
}

/// What two failed requests must share to have one cause: the status and the start of the body
/// with ids and numbers blanked out (an exception's text names the id it failed on), or the kind
/// of error.
fn signature(answer: &Answer) -> String {
    match answer {
        Answer::Status { status, body, .. } => {
            let start: String = body.chars().take(SIGNATURE_CHARS).collect();
            let mut signature = format!("{status} ");
            let mut word = String::new();
            let flush = |word: &mut String, signature: &mut String| {
                let is_id = word.bytes().any(|byte| byte.is_ascii_digit());
                signature.push_str(if is_id { "#" } else { word.as_str() });
                word.clear();
            };
            for character in start.chars() {
                if character.is_ascii_hexdigit() || character == '-' {
                    word.push(character);
                } else {
                    flush(&mut word, &mut signature);
                    signature.push(character);
                }
            }
            flush(&mut word, &mut signature);
            signature
        }
        Answer::Error { error, .. } => (*error).to_owned(),
    }
}

/// The failed requests of a troubled case, with the requests of other cases that the judging
/// cases list.
fn failed(case: &CaseReport) -> impl Iterator<Item = &RequestRecord> {
    case.requests.iter().filter(|request| !request.ok)
}

/// The failures of one case that got one answer (by [`signature`]): a case whose requests got
/// different answers (a `KeyError` on one type, a `ValueError` on timestamps) shows as many
/// failures, which may belong to different causes.
struct Failure<'a> {
    case: &'a CaseReport,
    requests: Vec<&'a RequestRecord>,
    /// Whether these are all of the case's failed requests.
    whole: bool,
}

/// The troubled cases' failures joined where they share an answer or one failing event type,
/// none of `taken` (the types the receiver took, see [`find`]); a case is in every cause one of
/// its failures is in.
fn grouped(
    troubled: &[&CaseReport],
    taken: &BTreeSet<String>,
    taken_names: &BTreeSet<String>,
) -> Vec<Cause> {
    let mut failures: Vec<Failure<'_>> = Vec::new();
    for case in troubled {
        let mut by_answer: Vec<(String, Vec<&RequestRecord>)> = Vec::new();
        for request in failed(case) {
            let answer = signature(&request.answer);
            match by_answer.iter_mut().find(|(seen, _)| *seen == answer) {
                Some((_, requests)) => requests.push(request),
                None => by_answer.push((answer, vec![request])),
            }
        }
        let whole = by_answer.len() <= 1;
        if by_answer.is_empty() {
            // A warned case without a failed request of its own still has its cause.
            failures.push(Failure {
                case,
                requests: Vec::new(),
                whole,
            });
        }
        for (_, requests) in by_answer {
            failures.push(Failure {
                case,
                requests,
                whole,
            });
        }
    }
    // Union-find over the failures, by index.
    let mut parent: Vec<usize> = (0..failures.len()).collect();
    fn root(parent: &mut [usize], mut index: usize) -> usize {
        while parent[index] != index {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        index
    }
    let keys: Vec<BTreeSet<String>> = failures
        .iter()
        .map(|failure| keys_of(failure, taken))
        .collect();
    for first in 0..failures.len() {
        for second in first + 1..failures.len() {
            if !keys[first].is_disjoint(&keys[second]) {
                let (a, b) = (root(&mut parent, first), root(&mut parent, second));
                parent[b] = a;
            }
        }
    }
    let mut groups: Vec<Vec<&Failure<'_>>> = Vec::new();
    let mut group_of_root: Vec<(usize, usize)> = Vec::new();
    for (index, failure) in failures.iter().enumerate() {
        let top = root(&mut parent, index);
        match group_of_root.iter().find(|(seen, _)| *seen == top) {
            Some((_, group)) => groups[*group].push(failure),
            None => {
                group_of_root.push((top, groups.len()));
                groups.push(vec![failure]);
            }
        }
    }
    groups
        .into_iter()
        .map(|group| describe(&group, taken, taken_names))
        .collect()
}

/// What joins a failure to others: its answer, and the event type when all of its case's own
/// requests in it are of one type that is not among `taken`.
fn keys_of(failure: &Failure<'_>, taken: &BTreeSet<String>) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = failure
        .requests
        .iter()
        .map(|request| format!("answer {}", signature(&request.answer)))
        .collect();
    let kinds: BTreeSet<String> = failure
        .requests
        .iter()
        .filter(|request| request.case == failure.case.id)
        .map(|request| kind_of(&request.event_type))
        .collect();
    // A throttled request says nothing of its type: it joins other failures by its answer only.
    if kinds.len() == 1 && kinds.is_disjoint(taken) && !all_throttled(&failure.requests) {
        keys.extend(kinds.into_iter().map(|kind| format!("type {kind}")));
    }
    keys
}

/// The cause of one group of failures; an event type is blamed only when two of its failed
/// requests or more show it, and the receiver took it nowhere (`taken`).
fn describe(
    group: &[&Failure<'_>],
    taken: &BTreeSet<String>,
    taken_names: &BTreeSet<String>,
) -> Cause {
    let mut cases: Vec<CaseId> = Vec::new();
    for failure in group {
        if !cases.contains(&failure.case.id) {
            cases.push(failure.case.id);
        }
    }
    // A request the judging cases list again is counted once.
    let requests: Vec<&RequestRecord> = {
        let mut seen = Vec::new();
        for request in group
            .iter()
            .flat_map(|failure| failure.requests.iter().copied())
        {
            if !seen.iter().any(|other: &&RequestRecord| {
                other.case == request.case
                    && other.body == request.body
                    && other.note == request.note
            }) {
                seen.push(request);
            }
        }
        seen
    };
    let types: BTreeSet<&str> = requests
        .iter()
        .map(|request| request.event_type.as_str())
        .collect();
    // The spellings of one event type are one type.
    let kinds: BTreeSet<String> = types.iter().map(|name| kind_of(name)).collect();
    let signatures: BTreeSet<String> = requests
        .iter()
        .map(|request| signature(&request.answer))
        .collect();
    let ids: Vec<&str> = cases.iter().map(|case| case.id()).collect();
    let counted = match requests.len() {
        1 => "1 request".to_owned(),
        count => format!("{count} requests"),
    };
    let in_cases = match ids.as_slice() {
        [one] => format!("in {one}"),
        _ => format!("in {} cases ({})", cases.len(), ids.join(", ")),
    };
    if all_throttled(&requests) {
        return Cause {
            summary: format!(
                "{counted} {in_cases} were answered 429 Too Many Requests: the receiver limits how fast it takes events, and the check sends them as awork does, as fast as they happen (one after the other, and accepts-burst's all at once); what those events held played no part"
            ),
            cases,
            fix: THROTTLED_FIX.to_owned(),
        };
    }
    if let [failure] = group
        && failure.whole
    {
        let case = failure.case;
        let mut summary = format!("{}: {}", case.id, case.detail);
        if case.id == CaseId::AcceptsAllEventTypes || case.id == CaseId::AcceptsOtherSpellings {
            summary.push_str(&format!("; refused: {}", named(&types)));
        }
        return Cause {
            summary,
            cases,
            fix: case.id.advice().to_owned(),
        };
    }
    let mut summary = match (signatures.len(), requests.first()) {
        (1, Some(first)) => format!(
            "{counted} {in_cases} got the same answer, {}",
            answer_text(&first.answer)
        ),
        _ => format!("{counted} {in_cases} failed: {}", tally(&requests)),
    };
    let fails_on_its_type = kinds.len() == 1 && requests.len() >= 2 && kinds.is_disjoint(taken);
    let fix = if fails_on_its_type {
        summary.push_str(&format!(
            "; every one of them an event of one type: {}",
            named(&types)
        ));
        "the receiver fails on this event type whatever else the cases vary: it is one bug in how it handles these events (the answer above shows it); fix it and rerun".to_owned()
    } else if requests
        .iter()
        .all(|request| request.answer.is_unended_body())
    {
        UNENDED_BODY_FIX.to_owned()
    } else if requests.iter().all(|request| request.answer.is_timeout()) {
        CaseId::RespondsInTime.advice().to_owned()
    } else if requests.iter().all(|request| {
        request
            .answer
            .status()
            .is_some_and(|status| (200..300).contains(&status))
    }) {
        // Accepted where a refusal was needed (a missing or wrong auth header): no error to
        // replay, but a check the receiver does not make; the cases say which.
        group[0].case.id.advice().to_owned()
    } else if requests.iter().all(|request| {
        matches!(
            request.answer,
            Answer::Error {
                error: "connection_reset",
                ..
            }
        )
    }) && types.iter().all(|name| taken_names.contains(*name))
    {
        // Closed connections on events of types taken elsewhere: not what the events held, but
        // how the receiver keeps its connections.
        summary.push_str("; the receiver took events of each of these types in other requests");
        CLOSED_CONNECTIONS_FIX.to_owned()
    } else if signatures.len() == 1 {
        // Only the names the receiver took nowhere, as spelled: a name it took elsewhere says
        // nothing of this answer (a spelling it refuses is named even if it took the type under
        // another).
        let evident: BTreeSet<&str> = types
            .iter()
            .copied()
            .filter(|name| !taken_names.contains(*name))
            .collect();
        if !evident.is_empty() {
            summary.push_str(&format!("; event types: {}", named(&evident)));
        }
        "these cases fail for one reason, the answer above: fix that one error (replay the first failed request with `awork-sim send`) and rerun, rather than each case's advice".to_owned()
    } else {
        group[0].case.id.advice().to_owned()
    };
    Cause {
        summary,
        cases,
        fix,
    }
}

/// The event type a name spells (its API name), or the name itself when it is unknown.
fn kind_of(name: &str) -> String {
    match EventType::lookup(name) {
        Some((event, _)) => event.name(Naming::Api).to_owned(),
        None => name.to_owned(),
    }
}

/// `a, b, c` or `a, b, … and 3 more`.
fn named(types: &BTreeSet<&str>) -> String {
    let mut names: Vec<String> = types
        .iter()
        .take(TYPES_NAMED)
        .map(|name| format!("`{name}`"))
        .collect();
    if types.len() > TYPES_NAMED {
        names.push(format!("and {} more", types.len() - TYPES_NAMED));
    }
    names.join(", ")
}

/// `404 Not Found`.
fn status_text(status: u16) -> String {
    match http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// `400 Bad Request: "missing field name"`, or the error.
fn answer_text(answer: &Answer) -> String {
    match answer {
        Answer::Status { status, body, .. } if body.is_empty() => status_text(*status),
        Answer::Status { status, body, .. } => {
            let excerpt = on_one_line(body.chars().take(SIGNATURE_CHARS));
            format!("{} `{excerpt}`", status_text(*status))
        }
        Answer::Error { message, .. } => message.clone(),
    }
}

/// `project_added (a realistic event, 1873 bytes)`.
fn request_text(request: &RequestRecord) -> String {
    format!(
        "{} ({}, {} bytes, case {})",
        request.event_type, request.note, request.bytes, request.case
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::cases::Level;
    use crate::report::AuthSource;

    /// A request of `case` carrying `event_type` that needed a 2xx and got `answer`.
    fn request(case: CaseId, event_type: &str, answer: Answer) -> RequestRecord {
        let ok = answer
            .status()
            .is_some_and(|status| Expected::Success.is_met_by(status));
        RequestRecord {
            case,
            event_type: event_type.to_owned(),
            note: format!("a {event_type} of {case}"),
            auth: "configured",
            bytes: 100,
            expected: Expected::Success.as_str(),
            answer,
            latency: Duration::from_millis(5),
            ok,
            body: Bytes::from(format!(
                "{{\"eventType\":\"{event_type}\",\"of\":\"{case}\"}}"
            )),
        }
    }

    fn status(status: u16, body: &str) -> Answer {
        Answer::Status {
            status,
            location: None,
            body: body.to_owned(),
        }
    }

    #[test]
    fn an_answer_is_shown_as_sent_on_one_line() {
        assert_eq!(
            answer_text(&status(
                500,
                "KeyError: 'taskId'\n\tat \"handler\" \\ line 3"
            )),
            "500 Internal Server Error `KeyError: 'taskId'\\n\\tat \"handler\" \\ line 3`"
        );
    }

    fn timeout() -> Answer {
        Answer::Error {
            error: "timeout",
            message: "no answer within 1s".to_owned(),
        }
    }

    /// The report of a case that sent `requests`: passed when each got its answer.
    /// A case that sent one request, of `event_type`, answered `answer`.
    fn one_request(id: CaseId, event_type: &str, answer: Answer) -> CaseReport {
        case(id, vec![request(id, event_type, answer)])
    }

    fn case(id: CaseId, requests: Vec<RequestRecord>) -> CaseReport {
        let outcome = match (requests.iter().all(|request| request.ok), id.level()) {
            (true, _) => Outcome::Pass,
            (false, Level::Must) => Outcome::Fail,
            (false, Level::Should) => Outcome::Warn,
        };
        CaseReport {
            id,
            level: id.level(),
            outcome,
            detail: String::new(),
            requests,
            elapsed: Duration::ZERO,
        }
    }

    /// `responds-in-time` failed by `late`, requests of other cases.
    fn late(late: &[&RequestRecord]) -> CaseReport {
        CaseReport {
            outcome: Outcome::Fail,
            requests: late.iter().map(|request| (*request).clone()).collect(),
            ..case(CaseId::RespondsInTime, Vec::new())
        }
    }

    fn causes(cases: &[CaseReport]) -> Vec<Cause> {
        let settings = Settings {
            seed: 1,
            timeout: Duration::from_secs(1),
            burst: 50,
            auth_header_name: None,
            auth_source: AuthSource::Argument,
            insecure: false,
            naming: Naming::Api,
        };
        find(cases, &settings, "/hooks/awork")
    }

    const BLAMES_THE_TYPE: &str = "every one of them an event of one type";

    #[test]
    fn two_bugs_one_case_shows_are_two_causes() {
        // A receiver with a KeyError on one type and a ValueError on timestamps it cannot read:
        // accepts-all-event-types shows both, and must not join them into one.
        let key_error = || status(500, "KeyError('nonexistent')");
        let value_error = || status(500, "ValueError: bad timestamp");
        let all = CaseId::AcceptsAllEventTypes;
        let stamps = CaseId::AcceptsDotnetTimestamps;
        let cases = [
            case(
                all,
                vec![
                    request(all, "timetracking_added", key_error()),
                    request(all, "timetracking_updated", key_error()),
                    request(all, "task_added", value_error()),
                    request(all, "user_added", status(200, "")),
                ],
            ),
            case(
                stamps,
                vec![
                    request(stamps, "project_added", value_error()),
                    request(stamps, "task_updated", value_error()),
                ],
            ),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 2, "{causes:#?}");
        let key = causes
            .iter()
            .find(|cause| cause.summary.contains("KeyError"))
            .expect("the KeyError's cause");
        assert_eq!(key.cases, [all]);
        assert!(!key.summary.contains("ValueError"), "{}", key.summary);
        let value = causes
            .iter()
            .find(|cause| cause.summary.contains("ValueError"))
            .expect("the ValueError's cause");
        assert_eq!(value.cases, [all, stamps]);
        assert!(
            value.summary.starts_with("3 requests in 2 cases"),
            "{}",
            value.summary
        );
    }

    #[test]
    fn one_slow_request_is_no_evidence_against_its_event_type() {
        // A receiver slow on large bodies only: the large payload's one `project_added` times out,
        // and `responds-in-time` lists it again. One request says nothing of `project_added`.
        let large = request(CaseId::AcceptsLargePayload, "project_added", timeout());
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", status(200, "")),
            late(&[&large]),
            case(CaseId::AcceptsLargePayload, vec![large.clone()]),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        let cause = &causes[0];
        assert_eq!(
            cause.cases,
            [CaseId::RespondsInTime, CaseId::AcceptsLargePayload]
        );
        assert!(
            cause
                .summary
                .starts_with("1 request in 2 cases (responds-in-time, accepts-large-payload) got the same answer, no answer within 1s"),
            "{}",
            cause.summary
        );
        assert!(
            !cause.summary.contains(BLAMES_THE_TYPE),
            "{}",
            cause.summary
        );
        assert_eq!(cause.fix, CaseId::RespondsInTime.advice());
    }

    #[test]
    fn an_event_type_failing_in_two_requests_and_taken_nowhere_is_one_cause() {
        // A KeyError on `task_added`, its text naming a different key in each case.
        let cases = [
            case(
                CaseId::AcceptsAllEventTypes,
                vec![
                    request(
                        CaseId::AcceptsAllEventTypes,
                        "project_added",
                        status(200, ""),
                    ),
                    request(
                        CaseId::AcceptsAllEventTypes,
                        "task_added",
                        status(500, "KeyError: 'listId'"),
                    ),
                ],
            ),
            one_request(
                CaseId::ToleratesUnknownFields,
                "task_added",
                status(500, "KeyError: 'typeOfWork'"),
            ),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        assert!(
            causes[0]
                .summary
                .ends_with(&format!("{BLAMES_THE_TYPE}: `task_added`")),
            "{}",
            causes[0].summary
        );
    }

    #[test]
    fn an_event_type_the_receiver_took_elsewhere_is_not_blamed() {
        // Two `task_added` refused for what the cases vary, while a plain `task_added` was taken:
        // two causes, each with its case's own fix.
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", status(200, "")),
            one_request(
                CaseId::ToleratesUnknownFields,
                "task_added",
                status(400, "unknown field `x-awork-sim`"),
            ),
            one_request(
                CaseId::AcceptsUnicode,
                "task_added",
                status(500, "UnicodeEncodeError"),
            ),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 2, "{causes:#?}");
        for (cause, id) in causes
            .iter()
            .zip([CaseId::ToleratesUnknownFields, CaseId::AcceptsUnicode])
        {
            assert_eq!(cause.cases, [id]);
            assert!(
                !cause.summary.contains(BLAMES_THE_TYPE),
                "{}",
                cause.summary
            );
            assert_eq!(cause.fix, id.advice());
        }
    }

    #[test]
    fn a_throttling_receiver_is_one_cause_that_blames_no_content_and_no_type() {
        // A token bucket drained by the suite's pace: a few requests of content cases and most
        // of the burst are answered 429, of types taken nowhere else.
        let throttled = || status(429, "Too Many Requests; retry after 1 s");
        let optionals = CaseId::ToleratesMissingOptionals;
        let unicode = CaseId::AcceptsUnicode;
        let burst = CaseId::AcceptsBurst;
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", status(200, "")),
            case(
                optionals,
                vec![
                    request(optionals, "project_added", throttled()),
                    request(optionals, "project_updated", throttled()),
                ],
            ),
            one_request(unicode, "comment_added", throttled()),
            case(
                burst,
                [
                    "user_added",
                    "user_updated",
                    "user_deleted",
                    "absence_added",
                    "absence_deleted",
                ]
                .into_iter()
                .map(|name| request(burst, name, throttled()))
                .collect(),
            ),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        let cause = &causes[0];
        assert_eq!(cause.cases, [optionals, unicode, burst]);
        assert!(
            cause.summary.starts_with(
                "8 requests in 3 cases (tolerates-missing-optionals, accepts-unicode, \
                 accepts-burst) were answered 429 Too Many Requests: the receiver limits how fast"
            ),
            "{}",
            cause.summary
        );
        assert!(
            !cause.summary.contains(BLAMES_THE_TYPE),
            "{}",
            cause.summary
        );
        assert!(
            cause.fix.starts_with("exempt awork's webhook calls"),
            "{}",
            cause.fix
        );
    }

    #[test]
    fn a_redirect_of_every_request_names_where_it_leads() {
        let redirect = || Answer::Status {
            status: 308,
            location: Some("/hooks/awork/".to_owned()),
            body: String::new(),
        };
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", redirect()),
            one_request(CaseId::AcceptsUnicode, "comment_added", redirect()),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        assert_eq!(
            causes[0].summary,
            "all 2 requests meant to be accepted were answered 308 Permanent Redirect to \
             `/hooks/awork/`: awork does not follow redirects, so not one event would arrive"
        );
        assert!(
            causes[0].fix.starts_with(CaseId::NoRedirect.advice()),
            "{}",
            causes[0].fix
        );
    }

    #[test]
    fn plain_http_to_a_tls_port_is_told_to_use_https() {
        // Go's net/http answers plain HTTP at a TLS port so.
        let go = || status(400, "Client sent an HTTP request to an HTTPS server.\n");
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", go()),
            one_request(CaseId::AcceptsUnicode, "comment_added", go()),
        ];
        let causes = causes(&cases);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        assert!(
            causes[0]
                .summary
                .ends_with("the receiver speaks HTTPS at this port"),
            "{}",
            causes[0].summary
        );
        assert!(causes[0].fix.starts_with("use the receiver's https:// URL"));
    }

    #[test]
    fn answers_whose_body_never_ends_are_not_told_to_answer_sooner() {
        // Python's http.server speaking HTTP/1.1 without Content-Length: the 200 comes at once,
        // its body never ends.
        let unended = || Answer::Error {
            error: "timeout",
            message: format!(
                "timeout: {} (200), but its body did not end: it has neither Content-Length nor \
                 chunked encoding",
                awork_delivery::transport::UNENDED_BODY
            ),
        };
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", unended()),
            one_request(CaseId::AcceptsUnicode, "comment_added", unended()),
        ];
        let found = causes(&cases);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].summary.starts_with(
                "none of the 2 requests got a whole answer within the timeout: the answer's head \
                 came (200)"
            ),
            "{}",
            found[0].summary
        );
        assert_eq!(found[0].fix, UNENDED_BODY_FIX);
        // One such request among others that were taken: its own group, the same fix.
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", status(200, "")),
            one_request(CaseId::AcceptsUnicode, "comment_added", unended()),
            one_request(CaseId::AcceptsRedelivery, "project_added", unended()),
        ];
        let among_others = causes(&cases);
        assert_eq!(among_others.len(), 1, "{among_others:#?}");
        assert_eq!(among_others[0].fix, UNENDED_BODY_FIX);
    }

    #[test]
    fn connections_closed_under_events_taken_elsewhere_are_a_connection_cause() {
        // A toy server that closes after each answer without `Connection: close`: now and then
        // a request goes out on a connection it had closed, of a type it takes otherwise.
        let reset = || Answer::Error {
            error: "connection_reset",
            message: "connection reset".to_owned(),
        };
        let all = CaseId::AcceptsAllEventTypes;
        let cases = [
            case(
                all,
                vec![
                    request(all, "task_added", status(200, "")),
                    request(all, "client_changed", reset()),
                    request(all, "project_added", status(200, "")),
                ],
            ),
            case(
                CaseId::AcceptsUnicode,
                vec![
                    request(CaseId::AcceptsUnicode, "client_changed", status(200, "")),
                    request(CaseId::AcceptsUnicode, "task_added", reset()),
                ],
            ),
            one_request(CaseId::AcceptsRedelivery, "project_added", reset()),
        ];
        let found = causes(&cases);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].fix, CLOSED_CONNECTIONS_FIX);
        assert!(
            found[0]
                .summary
                .ends_with("the receiver took events of each of these types in other requests"),
            "{}",
            found[0].summary
        );
    }

    #[test]
    fn a_receiver_that_throttles_every_request_is_not_told_its_parser_is_wrong() {
        let throttled = || status(429, "Too Many Requests");
        let cases = [
            one_request(CaseId::AcceptsAllEventTypes, "task_added", throttled()),
            one_request(CaseId::AcceptsUnicode, "comment_added", throttled()),
        ];
        let found = causes(&cases);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].summary.contains("answered 429 Too Many Requests"),
            "{}",
            found[0].summary
        );
        assert_eq!(found[0].fix, THROTTLED_FIX);
    }
}
