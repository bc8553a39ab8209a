//! Runs the suite: checks that something answers at the URL, sends each selected case's steps in
//! order, and judges every case from what came back.
//!
//! Requests go through `awork-delivery`'s [`HttpTransport`], the same client `send` uses, so the
//! suite sees a receiver exactly as a delivery would: no redirects followed, one timeout on the
//! whole response (head and body). A case never retries; it reports what each single attempt got.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use awork_delivery::redact::Redaction;
use awork_delivery::{
    AttemptOutcome, AuthHeader, HttpTransport, Transport, WebhookConfig, without_password,
};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::cases::{CaseId, Level};
use crate::causes;
use crate::probes::{self, AuthSent, Expected, Probe, Scenario, Sending};
use crate::report::text::millis;
use crate::report::{Answer, CaseReport, Outcome, Report, RequestRecord, Settings};
use crate::{CheckConfig, CheckError};

/// How long the check that something answers at the URL waits at most.
const REACHABILITY_TIMEOUT: Duration = Duration::from_secs(10);

/// After more consecutive unanswered requests than this, the suite stops sending, as awork would
/// pause the integration ("more than 10 times"). It also keeps a receiver that hangs from holding
/// a CI job for every timeout of every case.
const STOP_AFTER_TIMEOUTS: u32 = 10;

/// Runs the suite as `config` says, calling `on_case` as each case that runs starts sending.
pub(crate) async fn run(
    config: &CheckConfig,
    on_case: &mut dyn FnMut(CaseId),
) -> Result<Report, CheckError> {
    let started = Instant::now();
    config.sending_cases()?;
    check_reachable(config).await?;
    let clients = Clients::new(config)?;
    let scenarios = probes::build(config.seed, config.burst, config.naming);
    let has_auth = config.auth.is_some();

    let mut reports: HashMap<CaseId, CaseReport> = HashMap::new();
    let streak = Arc::new(TimeoutStreak::default());
    for scenario in scenarios {
        let case = scenario.case;
        let report = match config.reason_to_skip(case) {
            Some(reason) => skipped(case, reason),
            None if streak.stopped() => skipped(case, STOPPED.to_owned()),
            None => {
                on_case(case);
                let case_started = Instant::now();
                let (requests, unsent) =
                    send_scenario(&clients, scenario, config.timeout, has_auth, &streak).await;
                let (outcome, detail) = judge(case, &requests, unsent);
                CaseReport {
                    id: case,
                    level: case.level(),
                    outcome,
                    detail,
                    requests,
                    elapsed: case_started.elapsed(),
                }
            }
        };
        reports.insert(case, report);
    }
    // The cases that judge every request read them from the sending cases' reports.
    let sent: Vec<&RequestRecord> = CaseId::ALL
        .iter()
        .filter_map(|case| reports.get(case))
        .flat_map(|report| &report.requests)
        .collect();
    let observed: Vec<CaseReport> = [CaseId::RespondsInTime, CaseId::NoRedirect]
        .into_iter()
        .map(|case| match config.reason_to_skip(case) {
            Some(reason) => skipped(case, reason),
            None if sent.is_empty() => skipped(case, "no case sent a request to judge".to_owned()),
            None => observe(case, &sent, config.timeout),
        })
        .collect();
    for report in observed {
        reports.insert(report.id, report);
    }

    let cases: Vec<CaseReport> = CaseId::ALL
        .iter()
        .map(|case| reports.remove(case).expect("every case has a report"))
        .collect();
    let passed = !cases.iter().any(|case| case.outcome == Outcome::Fail);
    let settings = Settings {
        seed: config.seed,
        timeout: config.timeout,
        burst: config.burst,
        auth_header_name: config.auth.as_ref().map(|auth| auth.spelling().to_owned()),
        auth_source: config.auth_source.clone(),
        insecure: config.insecure,
        naming: config.naming,
    };
    Ok(Report {
        // As given, but for a password in it (`user:***@`).
        url: without_password(&config.url_text),
        passed,
        causes: causes::find(&cases, &settings, config.url.as_uri().path()),
        cases,
        settings,
        elapsed: started.elapsed(),
    })
}

/// Fails when nothing accepts a TCP connection at the URL's host and port: then no case could say
/// anything about the receiver, and the run is a usage error rather than a failed check.
async fn check_reachable(config: &CheckConfig) -> Result<(), CheckError> {
    let uri = config.url.as_uri();
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    let port = uri
        .port_u16()
        .unwrap_or(if config.url.is_https() { 443 } else { 80 });
    let unreachable = |reason: String| CheckError::Unreachable {
        url: without_password(&config.url_text),
        reason,
    };
    let wait = config.timeout.min(REACHABILITY_TIMEOUT);
    match tokio::time::timeout(wait, TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(unreachable(error.to_string())),
        Err(_) => Err(unreachable(format!(
            "no connection within {}",
            millis(wait)
        ))),
    }
}

/// The clients besides the one with the configured header: no header, and two wrong values. Each
/// sends one request in a run, on one connection.
const FORGED_CALL_CLIENTS: usize = 3;

/// The most connections a run with a burst of `burst` (0 when it does not run) holds open at
/// once: the configured client keeps as many as it had in flight at once (the burst, or the most
/// a slow receiver leaves unanswered), and each of the others one.
pub(crate) fn most_connections(burst: usize) -> usize {
    burst.max(MOST_IN_FLIGHT_WHEN_SLOW) + FORGED_CALL_CLIENTS
}

/// One HTTP client per auth header a probe can carry.
struct Clients {
    configured: HttpTransport,
    missing: HttpTransport,
    wrong_unrelated: HttpTransport,
    wrong_last_character: HttpTransport,
    /// The configured value and the one with its last character changed: a receiver that echoes
    /// headers in its answers (a debug error page) must not carry them into the reports.
    secrets: Secrets,
}

/// Values that never reach a report: each is written `***` wherever an answer carries it, as
/// [`Redaction`] finds it (encoded, its token alone, cut). Each client keeps its own value out of
/// its answers; these are both values for every answer, since a receiver may tell the one it
/// expects in its answer to another (`expected …, got …`).
#[derive(Debug, Clone, Default)]
struct Secrets(Arc<Redaction>);

impl Secrets {
    /// `text` with every secret written `***`.
    fn redact(&self, text: String) -> String {
        match self.0.apply(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => redacted,
        }
    }

    /// An answer's body excerpt with every secret written `***`.
    fn redact_body(&self, body: &[u8]) -> String {
        let redacted = self.0.apply_to_body(body);
        String::from_utf8_lossy(redacted.as_deref().unwrap_or(body)).into_owned()
    }
}

impl Clients {
    fn new(config: &CheckConfig) -> Result<Clients, CheckError> {
        let base = WebhookConfig::new(&config.url_text)?.with_insecure(config.insecure);
        let client = |auth: Option<AuthHeader>| {
            let webhook = match auth {
                Some(auth) => base.clone().with_auth(auth),
                None => base.clone(),
            };
            HttpTransport::new(&webhook).map_err(CheckError::Client)
        };
        let wrong = |value: &str| {
            config
                .auth
                .as_ref()
                .and_then(|auth| AuthHeader::new(auth.spelling(), value).ok())
        };
        let unrelated = format!("awork-sim-wrong-{:016x}", config.seed);
        let last_changed = config
            .auth
            .as_ref()
            .and_then(|auth| auth.value().to_str().ok())
            .map(with_last_character_changed);
        let configured_value = config
            .auth
            .as_ref()
            .and_then(|auth| auth.value().to_str().ok())
            .map(str::to_owned);
        let secrets = Secrets(Arc::new(Redaction::of(
            configured_value
                .iter()
                .chain(&last_changed)
                .map(String::as_bytes),
        )));
        Ok(Clients {
            configured: client(config.auth.clone())?,
            missing: client(None)?,
            wrong_unrelated: client(wrong(&unrelated))?,
            wrong_last_character: client(
                last_changed
                    .as_deref()
                    .and_then(wrong)
                    .or_else(|| wrong(&unrelated)),
            )?,
            secrets,
        })
    }

    fn for_auth(&self, auth: AuthSent) -> &HttpTransport {
        match auth {
            AuthSent::Configured => &self.configured,
            AuthSent::Missing => &self.missing,
            AuthSent::WrongUnrelated => &self.wrong_unrelated,
            AuthSent::WrongLastCharacter => &self.wrong_last_character,
        }
    }
}

/// The value with its last character replaced by another: catches receivers that compare only a
/// prefix, or only the length.
fn with_last_character_changed(value: &str) -> String {
    let mut changed: String = value.to_owned();
    let last = changed.pop();
    changed.push(if last == Some('x') { 'y' } else { 'x' });
    changed
}

/// Why a case did not run after the receiver stopped answering.
const STOPPED: &str = "not sent: the receiver left more than 10 requests in a row unanswered, after which awork pauses the integration, so the suite stopped sending";

/// The count of consecutive requests that timed out, across the run, in completion order.
#[derive(Debug, Default)]
struct TimeoutStreak(AtomicU32);

impl TimeoutStreak {
    fn record(&self, answer: &Answer) {
        if answer.is_timeout() {
            self.0.fetch_add(1, Ordering::SeqCst);
        } else {
            self.0.store(0, Ordering::SeqCst);
        }
    }

    fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst) > STOP_AFTER_TIMEOUTS
    }
}

/// How long the requests in flight may go unanswered before a step sent in turn sends its next
/// probe beside them, on another connection.
const PATIENCE: Duration = Duration::from_secs(1);

/// The most requests of a step sent in turn that are in flight at once, when the receiver is slow.
const MOST_IN_FLIGHT_WHEN_SLOW: usize = 8;

/// Sends a case's steps in order; returns the records, in the order of the probes, and how many
/// probes were not sent because the receiver had stopped answering.
///
/// A step sent in turn sends its next probe as soon as one in flight is answered, so that its
/// connection is back in its pool and carries the next request: a receiver that answers within
/// [`PATIENCE`] sees one connection per auth header, as from a delivery, and never a burst of new
/// connections (which overflows a small accept queue and costs a second to the SYN sent again).
/// Only while nothing in flight is answered within `PATIENCE` is the next probe sent beside them,
/// up to [`MOST_IN_FLIGHT_WHEN_SLOW`], so that a receiver that hangs does not hold the run for
/// every timeout in turn.
async fn send_scenario(
    clients: &Clients,
    scenario: Scenario,
    timeout: Duration,
    has_auth: bool,
    streak: &Arc<TimeoutStreak>,
) -> (Vec<RequestRecord>, usize) {
    let mut records = Vec::new();
    let mut unsent = 0;
    for step in scenario.steps {
        let mut in_flight = JoinSet::new();
        let mut step_records: Vec<(usize, RequestRecord)> = Vec::new();
        let mut probes = step.probes.into_iter().enumerate();
        for (index, probe) in probes.by_ref() {
            if step.sending == Sending::InTurn && !in_flight.is_empty() {
                let answered = if in_flight.len() >= MOST_IN_FLIGHT_WHEN_SLOW {
                    in_flight.join_next().await
                } else {
                    tokio::time::timeout(PATIENCE, in_flight.join_next())
                        .await
                        .unwrap_or_default()
                };
                step_records
                    .extend(answered.map(|joined| joined.expect("a request task does not panic")));
            }
            if streak.stopped() {
                unsent += 1;
                break;
            }
            let client = clients.for_auth(probe.auth).clone();
            let secrets = clients.secrets.clone();
            let case = scenario.case;
            let streak = Arc::clone(streak);
            in_flight.spawn(async move {
                let sent_at = Instant::now();
                let outcome = client.send(probe.body.clone(), timeout).await;
                let latency = sent_at.elapsed();
                let record = record(case, &probe, outcome, latency, has_auth, &secrets);
                streak.record(&record.answer);
                (index, record)
            });
        }
        unsent += probes.count();
        while let Some(joined) = in_flight.join_next().await {
            step_records.push(joined.expect("a request task does not panic"));
        }
        step_records.sort_by_key(|(index, _)| *index);
        records.extend(step_records.into_iter().map(|(_, record)| record));
    }
    (records, unsent)
}

fn record(
    case: CaseId,
    probe: &Probe,
    outcome: AttemptOutcome,
    latency: Duration,
    has_auth: bool,
    secrets: &Secrets,
) -> RequestRecord {
    // What the receiver wrote (its body, a redirect's target, the words of an error it caused)
    // goes into the reports without the auth values it may echo.
    let answer = match outcome {
        AttemptOutcome::Status {
            code,
            location,
            body,
        } => Answer::Status {
            status: code.as_u16(),
            location: location.map(|location| secrets.redact(location)),
            body: secrets.redact_body(&body),
        },
        other => Answer::Error {
            error: other.error_kind().unwrap_or("other"),
            message: secrets.redact(other.to_string()),
        },
    };
    let ok = answer
        .status()
        .is_some_and(|status| probe.expected.is_met_by(status));
    RequestRecord {
        case,
        event_type: probe.event_type.clone(),
        note: probe.note.clone(),
        auth: probe.auth.as_str(has_auth),
        bytes: probe.body.len(),
        expected: probe.expected.as_str(),
        answer,
        latency,
        ok,
        body: probe.body.clone(),
    }
}

/// How a sending case ended, and the sentence that says so.
fn judge(case: CaseId, requests: &[RequestRecord], unsent: usize) -> (Outcome, String) {
    if requests.is_empty() && unsent > 0 {
        return (Outcome::Skip, STOPPED.to_owned());
    }
    let total = requests.len() + unsent;
    let expected = requests.first().map_or("2xx", |request| request.expected);
    let failed: Vec<&RequestRecord> = requests.iter().filter(|request| !request.ok).collect();
    if failed.is_empty() && unsent == 0 {
        let slowest = requests
            .iter()
            .map(|request| request.latency)
            .max()
            .unwrap_or_default();
        let detail = if total == 1 {
            format!("1 request, answered {expected} in {}", millis(slowest))
        } else {
            format!(
                "{total} requests, each answered {expected} (slowest {})",
                millis(slowest)
            )
        };
        return (Outcome::Pass, detail);
    }
    let outcome = match case.level() {
        Level::Must => Outcome::Fail,
        Level::Should => Outcome::Warn,
    };
    let accepted = failed
        .iter()
        .filter(|request| {
            request
                .answer
                .status()
                .is_some_and(|status| (200..300).contains(&status))
        })
        .count();
    let mut detail = match case {
        // What the suite saw, not what it cannot see: whether the receiver acted on the call.
        CaseId::RejectsMissingAuth | CaseId::RejectsWrongAuth if accepted == failed.len() => {
            let call = if case == CaseId::RejectsMissingAuth {
                "a call without the auth header"
            } else {
                "calls with a wrong auth header value"
            };
            format!(
                "answered 2xx to {call} ({} of {total}); the suite cannot see whether it acted on it; answer 401 or 403 so that forged calls are visibly refused",
                failed.len()
            )
        }
        CaseId::RequiresAuth if accepted == failed.len() => {
            // What it costs is the case's own explanation, shown below the case's line.
            "the receiver accepted an event with no auth header".to_owned()
        }
        _ => format!(
            "{} of {total} not answered {expected}: got {}",
            failed.len(),
            tally(&failed)
        ),
    };
    if unsent > 0 {
        detail.push_str(&format!(
            "; {unsent} not sent, as the receiver had stopped answering"
        ));
    }
    (outcome, detail)
}

/// Judges `responds-in-time` or `no-redirect` over every request the run sent.
fn observe(case: CaseId, sent: &[&RequestRecord], timeout: Duration) -> CaseReport {
    let started = Instant::now();
    // A redirect matters for what awork sends: a forged call (no or a wrong auth header) that a
    // receiver sends to its login page is the auth cases' to judge.
    let judged: Vec<&RequestRecord> = if case == CaseId::NoRedirect {
        sent.iter()
            .copied()
            .filter(|request| request.expected == Expected::Success.as_str())
            .collect()
    } else {
        sent.to_vec()
    };
    let sent = judged.as_slice();
    let total = sent.len();
    let breaks_rule: fn(&Answer) -> bool = if case == CaseId::NoRedirect {
        Answer::is_redirect
    } else {
        Answer::is_timeout
    };
    let offenders: Vec<RequestRecord> = sent
        .iter()
        .filter(|request| breaks_rule(&request.answer))
        .map(|request| RequestRecord {
            ok: false,
            ..(*request).clone()
        })
        .collect();
    let detail = match (case, offenders.is_empty()) {
        (CaseId::NoRedirect, true) => format!("none of {total} requests was redirected"),
        (CaseId::NoRedirect, false) => format!(
            "{} of {total} requests were answered with a redirect: {}",
            offenders.len(),
            tally(&offenders.iter().collect::<Vec<_>>())
        ),
        (_, true) => {
            let slowest = sent
                .iter()
                .max_by_key(|request| request.latency)
                .expect("at least one request");
            format!(
                "{total} requests, each answered within {} (slowest {}, {} in {})",
                awork_delivery::format_duration(timeout),
                millis(slowest.latency),
                slowest.event_type,
                slowest.case
            )
        }
        (_, false) => format!(
            "{} of {total} requests not answered within {}",
            offenders.len(),
            awork_delivery::format_duration(timeout)
        ),
    };
    let outcome = if offenders.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    CaseReport {
        id: case,
        level: case.level(),
        outcome,
        detail,
        requests: offenders,
        elapsed: started.elapsed(),
    }
}

/// `400 ×3, timeout ×2`: the answers, counted, in the order they first came.
pub(crate) fn tally(requests: &[&RequestRecord]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for request in requests {
        let label = match &request.answer {
            Answer::Status { status, .. } => status.to_string(),
            Answer::Error { error, .. } => (*error).replace('_', " "),
        };
        match counts.iter_mut().find(|(seen, _)| *seen == label) {
            Some((_, count)) => *count += 1,
            None => counts.push((label, 1)),
        }
    }
    counts
        .into_iter()
        .map(|(label, count)| {
            if count == 1 {
                label
            } else {
                format!("{label} ×{count}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn skipped(case: CaseId, reason: String) -> CaseReport {
    CaseReport {
        id: case,
        level: case.level(),
        outcome: Outcome::Skip,
        detail: reason,
        requests: Vec::new(),
        elapsed: Duration::ZERO,
    }
}
