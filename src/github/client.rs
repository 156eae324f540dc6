//! The one way shipgate talks to GitHub: octocrab's raw GET routes (so every status is ours to interpret),
//! a bound on requests in flight, one fetch per URL per run, bounded retries, and a token that never
//! reaches any output.

use crate::sync::lock;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{OnceCell, Semaphore};

/// Requests in flight at once: enough to hide latency, few enough not to trip secondary rate limits.
const MAX_IN_FLIGHT: usize = 8;
/// A list endpoint is followed for at most this many pages (100 items each). A list still going on
/// after that is not judged on its first pages: it fails closed.
const MAX_PAGES: usize = 10;
/// Items of one list, whatever the page size (100k environments on one page would mean 100k follow-up
/// requests): more fails closed.
const MAX_ITEMS: usize = 1000;
/// A response body larger than this is refused rather than read into memory.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// How much of an error message from the server is shown (after redaction).
const MAX_MESSAGE: usize = 200;

/// A GitHub token. Its `Debug` and `Display` say `[redacted]`, so no format string can leak it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// None for an empty value: an unset secret in Actions expands to "". The value is registered with
    /// `redact`, so every output of the process masks it, in every form a server could echo it in.
    pub fn new(value: String) -> Option<Token> {
        let v = value.trim().to_string();
        if v.is_empty() {
            return None;
        }
        crate::redact::register_secret(&v);
        Some(Token(v))
    }

    fn expose(&self) -> &str {
        &self.0
    }

    /// Remove the token from text that came from elsewhere (an error chain, a server message): the
    /// value in every form `redact` knows for a registered secret (hex, base64 at any alignment,
    /// reversed, spaced), and every secret-like pattern.
    pub fn scrub(&self, text: &str) -> String {
        crate::redact::register_secret(&self.0);
        crate::redact::text(text).into_owned()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How hard to try. Tests shrink the waits through `SHIPGATE_GITHUB_*` variables (see `Settings`).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub tries: u32,
    /// First backoff after a timeout, a transport error or a 5xx; doubled each time.
    pub base: Duration,
    /// Per attempt: connect, send, and read the whole body.
    pub timeout: Duration,
    /// Longest wait for a rate limit to reset before giving up with a clear error.
    pub max_wait: Duration,
    /// One deadline for the whole GitHub phase, retries and waits included; then every question left
    /// fails closed (`[github] deadline`, `SHIPGATE_GITHUB_DEADLINE_MS`).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            tries: 3,
            base: Duration::from_millis(1000),
            timeout: Duration::from_secs(30),
            max_wait: Duration::from_secs(60),
            deadline: crate::config::DEFAULT_GITHUB_DEADLINE,
        }
    }
}

/// Why the API could not answer a question at all. These fail the gate closed (exit 2) unless the
/// config opts out; they are never read as "no protection" or "no review".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The full URL asked (never carries the token: it travels in a header).
    pub url: String,
    pub kind: ApiErrorKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    Timeout,
    Transport,
    Server,
    RateLimited,
    BadCredentials,
    Malformed,
    /// The repository itself is not visible: nothing else can be asked.
    RepositoryNotFound,
    Setup,
}

impl ApiError {
    pub fn help(&self) -> &'static str {
        match self.kind {
            ApiErrorKind::Timeout | ApiErrorKind::Transport | ApiErrorKind::Server => {
                "GitHub or the network failed after retries; re-run the job. Check GITHUB_API_URL if it points at GitHub Enterprise Server."
            }
            ApiErrorKind::RateLimited => {
                "the token's API rate limit is exhausted; re-run later, or use a GitHub App token (higher limits)."
            }
            ApiErrorKind::BadCredentials => {
                "the token was rejected (expired, revoked or mistyped): renew the secret passed as GITHUB_TOKEN or GH_TOKEN."
            }
            ApiErrorKind::Malformed => {
                "the API answered with something that is not the JSON GitHub documents; check GITHUB_API_URL and any proxy in between."
            }
            ApiErrorKind::RepositoryNotFound => {
                "check GITHUB_REPOSITORY / the origin remote, and that the token can read the repository (fine-grained: Metadata: read)."
            }
            ApiErrorKind::Setup => "check GITHUB_API_URL (e.g. https://api.github.com or https://HOST/api/v3).",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // GraphQL queries are POSTs; everything else shipgate asks is a GET.
        let method = if self.url.ends_with(GRAPHQL_PATH) {
            "POST"
        } else {
            "GET"
        };
        write!(f, "{method} {}: {}", self.url, self.detail)
    }
}

/// An HTTP error status with GitHub's `message`, for the caller to interpret (403 and 404 mean different
/// things on different endpoints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpStatus {
    pub code: u16,
    pub message: String,
}

impl fmt::Display for HttpStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched<T> {
    Ok(T),
    /// GitHub answered, with an error status: not readable with this token, not found, not enabled.
    Refused(HttpStatus),
    /// No usable answer; the error is also recorded for the gate's `gate/github-unavailable` finding.
    Unavailable(ApiError),
}

impl<T> Fetched<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Fetched::Ok(t) => Some(t),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fetched<U> {
        match self {
            Fetched::Ok(t) => Fetched::Ok(f(t)),
            Fetched::Refused(s) => Fetched::Refused(s),
            Fetched::Unavailable(e) => Fetched::Unavailable(e),
        }
    }
}

/// A URL's answer, filled by the first task that asks.
type Answer = OnceCell<Result<Page, ApiError>>;

/// One page as received: status, body, and the `next` link for lists.
#[derive(Debug, Clone)]
struct Page {
    status: u16,
    body: String,
    next: Option<String>,
}

pub struct Client {
    octo: octocrab::Octocrab,
    /// GitHub Enterprise Server: GraphQL lives at `https://HOST/api/graphql`, beside (not under) the
    /// REST base `https://HOST/api/v3`. None: `{api}/graphql` (github.com, the tests' server).
    graphql_octo: Option<octocrab::Octocrab>,
    api_url: String,
    /// `api_url` with any `user:password@` masked: what messages show.
    shown_url: String,
    /// When the GitHub phase must be over (`policy.deadline` from the client's creation).
    deadline: tokio::time::Instant,
    token: Token,
    policy: RetryPolicy,
    permits: Semaphore,
    cache: Mutex<HashMap<String, Arc<Answer>>>,
    failures: Mutex<Vec<ApiError>>,
    requests: Mutex<u32>,
    /// The last `x-ratelimit-remaining` / `x-ratelimit-reset` GitHub sent (see `spent`).
    rate: Mutex<Option<(u64, u64)>>,
}

impl Client {
    pub fn new(api_url: &str, token: Token, policy: RetryPolicy) -> Result<Client, ApiError> {
        let api_url = api_url.trim_end_matches('/').to_string();
        let shown_url = mask_userinfo(&api_url);
        let setup = |detail: String| ApiError {
            url: shown_url.clone(),
            kind: ApiErrorKind::Setup,
            detail: token.scrub(&detail),
        };
        let uri: http::Uri = api_url
            .parse()
            .map_err(|e| setup(format!("not a valid API URL: {e}")))?;
        if uri.scheme().is_none() || uri.authority().is_none() {
            return Err(setup(
                "not a valid API URL: it needs a scheme and a host".into(),
            ));
        }
        let graphql_octo = match graphql_base(&api_url) {
            Some(base) => Some(
                octocrab::Octocrab::builder()
                    .personal_token(token.expose().to_string())
                    .base_uri(base)
                    .map_err(|e| setup(format!("bad GraphQL URL: {e}")))?
                    .build()
                    .map_err(|e| setup(format!("cannot create the HTTP client: {e}")))?,
            ),
            None => None,
        };
        let octo = octocrab::Octocrab::builder()
            .personal_token(token.expose().to_string())
            .base_uri(uri)
            .map_err(|e| setup(format!("bad API URL: {e}")))?
            .add_header(
                http::header::ACCEPT,
                "application/vnd.github+json".to_string(),
            )
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            )
            .build()
            .map_err(|e| setup(format!("cannot create the HTTP client: {e}")))?;
        Ok(Client {
            octo,
            graphql_octo,
            api_url,
            shown_url,
            deadline: tokio::time::Instant::now() + policy.deadline,
            token,
            policy,
            permits: Semaphore::new(MAX_IN_FLIGHT),
            cache: Mutex::new(HashMap::new()),
            failures: Mutex::new(Vec::new()),
            requests: Mutex::new(0),
            rate: Mutex::new(None),
        })
    }

    /// Every API failure of the run, in the order seen, one per URL.
    pub fn failures(&self) -> Vec<ApiError> {
        lock(&self.failures).clone()
    }

    /// The last `x-ratelimit-remaining` and `x-ratelimit-reset` (Unix seconds) GitHub sent.
    pub fn rate(&self) -> Option<(u64, u64)> {
        *lock(&self.rate)
    }

    /// HTTP requests sent (retries included).
    pub fn request_count(&self) -> u32 {
        *lock(&self.requests)
    }

    /// GET `path` (relative to the API URL, with its query) and decode the JSON body.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Fetched<T> {
        let page = match self.page(path).await {
            Ok(p) => p,
            Err(e) => return Fetched::Unavailable(e),
        };
        if !(200..300).contains(&page.status) {
            return Fetched::Refused(self.status(&page));
        }
        match serde_json::from_str::<T>(&page.body) {
            Ok(v) => Fetched::Ok(v),
            Err(e) => Fetched::Unavailable(self.malformed(path, &e)),
        }
    }

    /// GET a list, following `Link: rel="next"` (up to `MAX_PAGES` pages). `field` names the array inside
    /// an object-shaped page (`environments`, `branch_policies`); None: the page is the array.
    pub async fn get_list<T: DeserializeOwned>(
        &self,
        path: &str,
        field: Option<&str>,
    ) -> Fetched<Vec<T>> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        let mut over_cap = false;
        for _ in 0..MAX_PAGES {
            let Some(current) = next.take() else { break };
            let page = match self.page(&current).await {
                Ok(p) => p,
                Err(e) => return Fetched::Unavailable(e),
            };
            if !(200..300).contains(&page.status) {
                return Fetched::Refused(self.status(&page));
            }
            // Streamed into `items`, stopping at the cap: a page of a million entries is never
            // materialised (as a `Value` tree it would take gigabytes), and fails closed below.
            let room = MAX_ITEMS.saturating_sub(items.len());
            match parse_list_page(&page.body, field, room, &mut items) {
                Ok(()) => {}
                Err(ListError::OverCap) => {
                    over_cap = true;
                    break;
                }
                Err(ListError::Json(e)) => {
                    return Fetched::Unavailable(self.malformed(&current, &e))
                }
            }
            next = match page.next.as_deref() {
                None => None,
                Some(link) => match self.relative(link) {
                    Some(rel) => Some(rel),
                    // Never follow a link off the API host with the token, and never stop silently.
                    None => {
                        return Fetched::Unavailable(self.fail(
                            path,
                            ApiErrorKind::Malformed,
                            format!(
                                "the next page is on another host ({}); not followed, so the list is incomplete",
                                truncate(&mask_userinfo(link), MAX_MESSAGE)
                            ),
                        ))
                    }
                },
            };
        }
        if next.is_some() || over_cap {
            // A truncated list would be judged as if it were whole (an unprotected environment on
            // page 11 never seen): fail closed instead.
            return Fetched::Unavailable(self.fail(
                path,
                ApiErrorKind::Malformed,
                if over_cap {
                    format!(
                        "the list has more than {MAX_ITEMS} items (shipgate's cap; the rest was not read); shipgate does not judge a partial list"
                    )
                } else {
                    format!(
                        "the list goes on past {MAX_PAGES} pages (shipgate's cap); shipgate does not judge a partial list"
                    )
                },
            ));
        }
        Fetched::Ok(items)
    }

    /// Record a failure for a question that had to be answered (e.g. the repository itself).
    pub fn fail(&self, path: &str, kind: ApiErrorKind, detail: String) -> ApiError {
        let e = ApiError {
            url: self.url(path),
            kind,
            detail: self.token.scrub(&detail),
        };
        self.record(&e);
        e
    }

    fn malformed(&self, path: &str, e: &serde_json::Error) -> ApiError {
        self.fail(
            path,
            ApiErrorKind::Malformed,
            format!("the response is not the JSON expected ({e})"),
        )
    }

    fn record(&self, e: &ApiError) {
        let mut f = lock(&self.failures);
        if !f.iter().any(|x| x.url == e.url) {
            f.push(e.clone());
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.shown_url, path)
    }

    /// GitHub's `message`, redacted first and only then shortened (a cut token is still a token). A
    /// body that is not GitHub's JSON is described by its length only: it could be anything.
    fn status(&self, page: &Page) -> HttpStatus {
        let message = serde_json::from_str::<serde_json::Value>(&page.body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            });
        let message = match message {
            // An authentication failure is where a server has the most reason to talk about the
            // credentials it was sent: its words are not repeated, only how much it said.
            Some(_) if page.status == 401 => format!(
                "(authentication failed; the server's {}-byte answer is not shown)",
                page.body.len()
            ),
            Some(m) => truncate(&self.token.scrub(&m), MAX_MESSAGE),
            None => format!(
                "(a {}-byte answer that is not GitHub's JSON)",
                page.body.len()
            ),
        };
        HttpStatus {
            code: page.status,
            message,
        }
    }

    /// A pagination link back to a path under the API URL, or None if it points elsewhere (never follow
    /// a link off the configured host with the token).
    fn relative(&self, link: &str) -> Option<String> {
        let rest = link
            .strip_prefix(&self.api_url)
            .or_else(|| link.strip_prefix(&without_userinfo(&self.api_url)))?;
        let rest = if rest.starts_with('/') {
            rest.to_string()
        } else {
            format!("/{rest}")
        };
        Some(rest)
    }

    /// One fetch per path per run: concurrent askers share the first one's answer.
    async fn page(&self, path: &str) -> Result<Page, ApiError> {
        let cell = {
            let mut cache = lock(&self.cache);
            cache.entry(path.to_string()).or_default().clone()
        };
        let result = cell.get_or_init(|| self.fetch(path)).await.clone();
        if let Err(e) = &result {
            self.record(e);
        }
        result
    }

    /// GET with the bounds of `attempts`.
    async fn fetch(&self, path: &str) -> Result<Page, ApiError> {
        self.attempts(self.url(path), || self.send(path))
            .await
            .map(|(page, _)| page)
    }

    /// One request with bounded retries, the same for REST and GraphQL: a permit, a per-attempt
    /// timeout, the run's overall deadline; timeouts, transport errors and 5xx back off exponentially;
    /// rate limits wait as GitHub asks, up to `max_wait`; 401 stops at once. `url` is what messages show.
    async fn attempts<F, Fut>(
        &self,
        url: String,
        send: F,
    ) -> Result<(Page, http::HeaderMap), ApiError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(Page, http::HeaderMap), String>>,
    {
        let err = |kind, detail: String| ApiError {
            url: url.clone(),
            kind,
            detail: self.token.scrub(&detail),
        };
        if let Some(detail) = self.spent() {
            return Err(err(ApiErrorKind::RateLimited, detail));
        }
        let mut last = err(ApiErrorKind::Transport, "no attempt made".into());
        let mut backoff = self.policy.base;
        let past_deadline = || {
            err(
                ApiErrorKind::Timeout,
                format!(
                    "the GitHub checks ran past their overall deadline of {}",
                    secs(self.policy.deadline)
                ),
            )
        };
        for attempt in 1..=self.policy.tries.max(1) {
            let answer = {
                let _permit = self.permits.acquire().await;
                let left = self
                    .deadline
                    .saturating_duration_since(tokio::time::Instant::now());
                if left.is_zero() {
                    return Err(past_deadline());
                }
                *lock(&self.requests) += 1;
                match tokio::time::timeout(self.policy.timeout.min(left), send()).await {
                    Err(_) if self.policy.timeout > left => return Err(past_deadline()),
                    other => other,
                }
            };
            let retry_in = match answer {
                Err(_) => {
                    last = err(
                        ApiErrorKind::Timeout,
                        format!(
                            "no answer within {} (tried {attempt} time{})",
                            secs(self.policy.timeout),
                            plural(attempt)
                        ),
                    );
                    backoff
                }
                Ok(Err(detail)) => {
                    last = err(
                        ApiErrorKind::Transport,
                        format!("{detail} (tried {attempt} time{})", plural(attempt)),
                    );
                    backoff
                }
                Ok(Ok((page, headers))) => {
                    if page.status == 401 {
                        return Err(err(
                            ApiErrorKind::BadCredentials,
                            format!(
                                "401 {}: the token was not accepted",
                                self.status(&page).message
                            ),
                        ));
                    }
                    if let Some(wait) = rate_limit_wait(&page, &headers) {
                        if wait > self.policy.max_wait {
                            return Err(err(
                                ApiErrorKind::RateLimited,
                                format!(
                                    "rate limited ({}); GitHub asks to wait {}, more than the {} shipgate waits",
                                    self.status(&page),
                                    secs(wait),
                                    secs(self.policy.max_wait)
                                ),
                            ));
                        }
                        last = err(
                            ApiErrorKind::RateLimited,
                            format!(
                                "still rate limited after {attempt} attempt{} ({})",
                                plural(attempt),
                                self.status(&page)
                            ),
                        );
                        wait
                    } else if page.status >= 500 {
                        last = err(
                            ApiErrorKind::Server,
                            format!(
                                "{} after {attempt} attempt{}",
                                self.status(&page),
                                plural(attempt)
                            ),
                        );
                        backoff
                    } else {
                        return Ok((page, headers));
                    }
                }
            };
            if attempt < self.policy.tries {
                let left = self
                    .deadline
                    .saturating_duration_since(tokio::time::Instant::now());
                if retry_in >= left {
                    return Err(past_deadline());
                }
                tokio::time::sleep(retry_in).await;
                backoff = backoff.saturating_mul(2);
            }
        }
        Err(last)
    }

    async fn send(&self, route: &str) -> Result<(Page, http::HeaderMap), String> {
        let response = self
            .octo
            ._get(route)
            .await
            .map_err(|e| self.token.scrub(&describe(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.note_rate(&headers);
        let body = read_capped(response, &headers).await?;
        let next = headers
            .get(http::header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        Ok((Page { status, body, next }, headers))
    }
}

// ---- GraphQL (additive: one POST helper, counted with the REST requests) -------------------------------

/// One GraphQL answer as received: HTTP status and body. `errors` inside a 200 are the caller's to judge.
#[derive(Debug, Clone)]
pub struct GraphqlAnswer {
    pub status: u16,
    pub body: String,
    /// `x-ratelimit-remaining` and `x-ratelimit-reset` (Unix seconds), when GitHub sent them.
    pub remaining: Option<u64>,
    pub reset: Option<u64>,
}

impl Client {
    /// The URL GraphQL queries go to (for messages): `{api}/graphql`, or `https://HOST/api/graphql` on
    /// GitHub Enterprise Server.
    pub fn graphql_url(&self) -> String {
        match self.api_url.strip_suffix("/v3") {
            Some(api) if self.graphql_octo.is_some() => format!("{api}{GRAPHQL_PATH}"),
            _ => self.url(GRAPHQL_PATH),
        }
    }

    /// POST `body` (`{"query": …, "variables": …}`) to `{api}/graphql`, with the GET path's bounds: a
    /// permit, a per-attempt timeout, bounded retries on timeouts, transport errors and 5xx, rate limits
    /// waited out up to `max_wait`, 401 at once. Never cached (a query is asked once by its caller).
    pub async fn graphql(&self, body: &serde_json::Value) -> Result<GraphqlAnswer, ApiError> {
        let answer = self.graphql_attempts(body).await;
        if let Err(e) = &answer {
            self.record(e);
        }
        answer
    }

    async fn graphql_attempts(&self, body: &serde_json::Value) -> Result<GraphqlAnswer, ApiError> {
        let (page, headers) = self
            .attempts(self.graphql_url(), || self.post(GRAPHQL_PATH, body))
            .await?;
        Ok(GraphqlAnswer {
            status: page.status,
            remaining: header_number(&headers, "x-ratelimit-remaining"),
            reset: header_number(&headers, "x-ratelimit-reset"),
            body: page.body,
        })
    }

    /// Remember the rate limit GitHub reported with an answer.
    fn note_rate(&self, headers: &http::HeaderMap) {
        if let (Some(remaining), Some(reset)) = (
            header_number(headers, "x-ratelimit-remaining"),
            header_number(headers, "x-ratelimit-reset"),
        ) {
            *lock(&self.rate) = Some((remaining, reset));
        }
    }

    /// Why no further request should be sent: GitHub said none are left until a reset further ahead than
    /// shipgate waits.
    /// Asking anyway only earns refusals (and, repeated, a secondary limit), so the run stops asking and
    /// fails closed with the reset time instead.
    fn spent(&self) -> Option<String> {
        let (remaining, reset) = (*lock(&self.rate))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        // A reset within the wait shipgate accepts is waited out by the request that meets the limit.
        (remaining == 0 && reset > now + self.policy.max_wait.as_secs()).then(|| {
            format!(
                "not asked: GitHub reported the rate limit spent (x-ratelimit-remaining: 0); it resets at {} {:02}:{:02} UTC",
                crate::repo::history::date(reset as i64),
                (reset / 3600) % 24,
                (reset / 60) % 60
            )
        })
    }

    /// Record a failure of a GraphQL query (GitHub answered, but not with what was asked).
    pub fn fail_graphql(&self, kind: ApiErrorKind, detail: String) -> ApiError {
        self.fail(GRAPHQL_PATH, kind, detail)
    }

    async fn post(
        &self,
        route: &str,
        body: &serde_json::Value,
    ) -> Result<(Page, http::HeaderMap), String> {
        let octo = self.graphql_octo.as_ref().unwrap_or(&self.octo);
        let response = octo
            ._post(route, Some(body))
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.note_rate(&headers);
        let body = read_capped(response, &headers).await?;
        Ok((
            Page {
                status,
                body,
                next: None,
            },
            headers,
        ))
    }
}

/// GitHub.com's GraphQL endpoint, relative to the REST API URL.
const GRAPHQL_PATH: &str = "/graphql";

/// GitHub Enterprise Server's GraphQL base (`https://HOST/api`) for a REST URL ending in `/api/v3`.
fn graphql_base(api_url: &str) -> Option<http::Uri> {
    api_url.strip_suffix("/api/v3")?;
    api_url.strip_suffix("/v3")?.parse().ok()
}

/// `https://user:secret@host/x` shown as `https://***@host/x`: credentials in a URL are never printed.
pub fn mask_userinfo(url: &str) -> String {
    replace_userinfo(url, "***@")
}

fn without_userinfo(url: &str) -> String {
    replace_userinfo(url, "")
}

fn replace_userinfo(url: &str, with: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{with}{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// At most `max` characters, marked when cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A response body, read frame by frame so that one without a length (or lying about it) stops at the
/// cap: a hostile or broken server cannot make the gate hold gigabytes.
async fn read_capped(
    response: http::Response<http_body_util::combinators::BoxBody<bytes::Bytes, octocrab::Error>>,
    headers: &http::HeaderMap,
) -> Result<String, String> {
    use http_body_util::BodyExt;
    let too_large = || format!("the response is larger than {MAX_BODY} bytes; not read");
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    // Read frame by frame, so a body without a length (or lying about it) stops at the cap.
    let mut body = response.into_body();
    let mut bytes: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| format!("reading the response failed: {}", describe(&e)))?;
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > MAX_BODY {
                return Err(too_large());
            }
            bytes.extend_from_slice(data);
        }
    }
    String::from_utf8(bytes).map_err(|_| "the response is not valid UTF-8".to_string())
}

/// The error and its causes on one line: octocrab's top-level message alone ("Service error") says little.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// How long GitHub asks us to wait, if this response is a rate limit: 429, or 403 with the primary limit
/// exhausted or a secondary-limit message.
fn rate_limit_wait(page: &Page, headers: &http::HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    let secondary = page
        .body
        .to_ascii_lowercase()
        .contains("secondary rate limit");
    let limited = page.status == 429 || (page.status == 403 && (exhausted || secondary));
    if !limited {
        return None;
    }
    if let Some(s) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(s));
    }
    if exhausted {
        if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok()) {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
    }
    // GitHub's guidance for a secondary limit without retry-after: wait at least a minute.
    Some(Duration::from_secs(60))
}

/// Why a list page was not taken whole.
#[derive(Debug)]
enum ListError {
    /// More items than the room left: the rest of the page was not read.
    OverCap,
    Json(serde_json::Error),
}

/// Parse one list page into `items`: the page is the array, or `field` names the array inside an
/// object-shaped page (`environments`, `branch_policies`; other fields are skipped unread). At most
/// `room` items are kept; one more is `OverCap`, and parsing stops there.
fn parse_list_page<T: DeserializeOwned>(
    body: &str,
    field: Option<&str>,
    room: usize,
    items: &mut Vec<T>,
) -> Result<(), ListError> {
    let mut over = false;
    let seq = CappedSeq {
        room,
        items,
        over: &mut over,
    };
    let mut de = serde_json::Deserializer::from_str(body);
    let parsed = match field {
        None => serde::de::DeserializeSeed::deserialize(seq, &mut de),
        Some(field) => serde::de::DeserializeSeed::deserialize(FieldOf { field, seq }, &mut de),
    };
    match parsed.and_then(|()| de.end()) {
        Ok(()) => Ok(()),
        Err(_) if over => Err(ListError::OverCap),
        // Not JSON at all says more than "not the shape expected": report the syntax error first
        // (checked without building anything).
        Err(e) => Err(ListError::Json(
            serde_json::from_str::<serde::de::IgnoredAny>(body)
                .err()
                .unwrap_or(e),
        )),
    }
}

/// `parse_list_page` with JSON values as items, for the fuzz target (`fuzz/fuzz_targets/github_list.rs`):
/// Ok(the items), Err(true) over the cap, Err(false) not the list expected.
#[doc(hidden)]
pub fn list_page_for_fuzzing(
    body: &str,
    field: Option<&str>,
    room: usize,
) -> Result<Vec<serde_json::Value>, bool> {
    let mut items = Vec::new();
    match parse_list_page(body, field, room, &mut items) {
        Ok(()) => Ok(items),
        Err(ListError::OverCap) => Err(true),
        Err(ListError::Json(_)) => Err(false),
    }
}

/// An array, each element appended to `items` as it is read, up to `room` of them.
struct CappedSeq<'a, T> {
    room: usize,
    items: &'a mut Vec<T>,
    over: &'a mut bool,
}

impl<'de, T: DeserializeOwned> serde::de::DeserializeSeed<'de> for CappedSeq<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for CappedSeq<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut taken = 0usize;
        loop {
            if taken == self.room {
                // One more element means the list is over the cap: stop reading here.
                return match seq.next_element::<serde::de::IgnoredAny>()? {
                    None => Ok(()),
                    Some(_) => {
                        *self.over = true;
                        Err(serde::de::Error::custom("the list is over the item cap"))
                    }
                };
            }
            match seq.next_element::<T>()? {
                Some(item) => {
                    self.items.push(item);
                    taken += 1;
                }
                None => return Ok(()),
            }
        }
    }
}

/// An object whose `field` is the list; every other field is skipped without being built.
struct FieldOf<'a, 'f, T> {
    field: &'f str,
    seq: CappedSeq<'a, T>,
}

impl<'de, T: DeserializeOwned> serde::de::DeserializeSeed<'de> for FieldOf<'_, '_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for FieldOf<'_, '_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with a `{}` list", self.field)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let FieldOf { field, seq } = self;
        let mut seq = Some(seq);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == field {
                match seq.take() {
                    Some(s) => map.next_value_seed(s)?,
                    None => return Err(serde::de::Error::duplicate_field("list")),
                }
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        match seq {
            None => Ok(()),
            Some(_) => Err(serde::de::Error::custom(format_args!(
                "missing field `{field}`"
            ))),
        }
    }
}

/// A header's value as a whole number (`x-ratelimit-remaining`, `x-ratelimit-reset`).
fn header_number(headers: &http::HeaderMap, name: &str) -> Option<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

fn secs(d: Duration) -> String {
    if d.as_millis() % 1000 == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_formats() {
        let t = Token::new("ghp_secret123".into());
        assert_eq!(
            t.as_ref().map(|t| format!("{t} {t:?}")),
            Some("[redacted] Token([redacted])".into())
        );
        assert_eq!(
            t.map(|t| t.scrub("x ghp_secret123 y")),
            Some("x ************* y".into())
        );
        assert!(Token::new("  ".into()).is_none());
    }

    #[test]
    fn graphql_lives_beside_ghes_rest() {
        assert!(graphql_base("https://api.github.com").is_none());
        assert_eq!(
            graphql_base("https://ghe.corp.example/api/v3").map(|u| u.to_string()),
            Some("https://ghe.corp.example/api".to_string())
        );
    }

    #[test]
    fn scrub_redacts_before_cutting_and_every_form_of_the_token() {
        use crate::redact::base64;
        let raw = "ghp_0123456789abcdefghij0123456789abcdef";
        let t = Token::new(raw.into());
        let Some(t) = t else { return };
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        let b64 = base64(raw.as_bytes());
        let glued = format!("{}{raw}", "E".repeat(161));
        for text in [
            glued.clone(),
            format!("Basic {b64}"),
            format!("x{}y", &b64[..b64.len() - 1]),
        ] {
            let out = truncate(&t.scrub(&text), MAX_MESSAGE);
            assert!(!out.contains(&raw[4..12]), "{out}");
            assert!(!out.contains(&b64[..20]), "{out}");
        }
        // Another token than ours, glued to text: masked by pattern.
        let other = format!(
            "{}ghs_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "E".repeat(161)
        );
        assert!(!t.scrub(&other).contains("ABCDEFGHIJKLMNOP"));
        assert_eq!(
            mask_userinfo("https://u:p@ghe.example/api/v3"),
            "https://***@ghe.example/api/v3"
        );
        assert_eq!(
            mask_userinfo("https://ghe.example/a@b"),
            "https://ghe.example/a@b"
        );
    }

    #[test]
    fn list_pages_stream_up_to_the_cap() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Env {
            id: u64,
        }
        let page = |n: usize| {
            let items: Vec<String> = (0..n)
                .map(|i| format!("{{\"id\":{i},\"x\":[1,{{}}]}}"))
                .collect();
            format!("[{}]", items.join(","))
        };
        let mut items: Vec<Env> = Vec::new();
        assert!(parse_list_page(&page(3), None, 3, &mut items).is_ok());
        assert_eq!(items.len(), 3);
        let mut items: Vec<Env> = Vec::new();
        assert!(matches!(
            parse_list_page(&page(4), None, 3, &mut items),
            Err(ListError::OverCap)
        ));
        assert_eq!(items.len(), 3, "stopped at the cap");
        // Object-shaped pages: other fields are skipped, wherever they are.
        let body = format!(
            "{{\"total_count\":2,\"pad\":{{\"a\":[\"{}\"]}},\"environments\":{},\"z\":null}}",
            "y".repeat(1000),
            page(2)
        );
        let mut items: Vec<Env> = Vec::new();
        assert!(parse_list_page(&body, Some("environments"), 10, &mut items).is_ok());
        assert_eq!(items, vec![Env { id: 0 }, Env { id: 1 }]);
        for bad in [
            "{\"total_count\":1}",
            "{\"environments\":{}}",
            "{\"environments\":[],\"environments\":[]}",
            "[1]",
            "[{\"id\":1}] trailing",
            "",
            "[",
        ] {
            let mut items: Vec<Env> = Vec::new();
            let field = bad.starts_with('{').then_some("environments");
            assert!(
                matches!(
                    parse_list_page(bad, field, 10, &mut items),
                    Err(ListError::Json(_))
                ),
                "{bad}"
            );
        }
        // An ignored field is checked for JSON syntax only: odd values a `Value` refuses (a lone
        // surrogate, a number out of f64's range) do not matter to the list, and do not fail it.
        for odd in ["\"\\ud800\"", "1e999", "-0", "[[[[]]]]"] {
            let body = format!("{{\"x\":{odd},\"environments\":[{{\"id\":7}}]}}");
            let mut items: Vec<Env> = Vec::new();
            assert!(
                parse_list_page(&body, Some("environments"), 1, &mut items).is_ok(),
                "{body}"
            );
            assert_eq!(items, vec![Env { id: 7 }]);
        }
        let mut items: Vec<Env> = Vec::new();
        let unclosed = "{\"x\":\"\\u12\",\"environments\":[]}";
        assert!(parse_list_page(unclosed, Some("environments"), 1, &mut items).is_err());
        // A cap of zero still reads an empty list.
        let mut items: Vec<Env> = Vec::new();
        assert!(parse_list_page("[]", None, 0, &mut items).is_ok());
    }

    #[test]
    fn link_header_next() {
        let h = r#"<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/pulls?page=2")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
    }

    #[test]
    fn rate_limits_are_recognised() {
        let page = |status, body: &str| Page {
            status,
            body: body.into(),
            next: None,
        };
        let mut h = http::HeaderMap::new();
        assert_eq!(rate_limit_wait(&page(404, "{}"), &h), None);
        assert_eq!(
            rate_limit_wait(
                &page(
                    403,
                    "{\"message\":\"Resource not accessible by integration\"}"
                ),
                &h
            ),
            None
        );
        h.insert("retry-after", http::HeaderValue::from_static("3"));
        assert_eq!(
            rate_limit_wait(&page(429, "{}"), &h),
            Some(Duration::from_secs(3))
        );
        let h = http::HeaderMap::new();
        assert_eq!(
            rate_limit_wait(
                &page(
                    403,
                    "{\"message\":\"You have exceeded a secondary rate limit.\"}"
                ),
                &h
            ),
            Some(Duration::from_secs(60))
        );
    }
}
