package pinterest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DefaultBaseURL is Pinterest's production API.
const DefaultBaseURL = "https://api.pinterest.com/v5"

// maxAnswerBytes bounds how much of an answer is read; an event list is a few kilobytes.
const maxAnswerBytes = 8 << 20

// Config holds what a Client needs. Only TokenSource is required.
type Config struct {
	// BaseURL is the API root, such as DefaultBaseURL; empty means DefaultBaseURL.
	BaseURL string
	// TokenSource supplies the bearer token for every attempt.
	TokenSource oauth2.TokenSource
	// HTTPClient sends the requests; nil means a client with no overall timeout,
	// since each attempt is bounded by AttemptTimeout and the caller's context.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// Retry decides how failed attempts are tried again.
	Retry RetryPolicy
	// AttemptTimeout bounds one attempt, so that a hung connection is retried rather
	// than waited on until the operation's deadline; 0 means DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// MaxConcurrentRequests caps the requests in flight at once; 0 means no cap.
	MaxConcurrentRequests int
	// OnRequest, when set, is told of every attempt, for logging.
	OnRequest func(context.Context, RequestInfo)
}

// DefaultAttemptTimeout is how long one attempt may take when Config leaves it unset.
const DefaultAttemptTimeout = 60 * time.Second

// RequestInfo describes one attempt of one call. It never holds the token.
type RequestInfo struct {
	Method      string
	Path        string
	AdAccountID string
	// Items is the number of events the request carried (0 for a list).
	Items    int
	Attempt  int
	Status   int
	Duration time.Duration
	// RequestID is Pinterest's x-pinterest-rid, when the answer had one.
	RequestID string
	// Err is what went wrong with the attempt, or nil.
	Err error
	// RetryIn is the wait before the next attempt; 0 when there will be none.
	RetryIn time.Duration
}

// Event is one custom event of an ad account: its name and the standard type it maps to.
type Event struct {
	Name        string      `json:"name"`
	MappingType MappingType `json:"mapped_conversion_type"`
}

// ItemResult is the outcome for one event of a batch call: Err is nil on success and
// otherwise usually an *ItemError.
type ItemResult struct {
	Name string
	Err  error
}

// Client calls Pinterest's advertiser-defined events API. It is safe for concurrent use.
type Client struct {
	base     string
	tokens   oauth2.TokenSource
	http     *http.Client
	agent    string
	retry    RetryPolicy
	attempt  time.Duration
	slots    chan struct{}
	observer func(context.Context, RequestInfo)
}

// NewClient checks the configuration and returns a client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.TokenSource == nil {
		return nil, errors.New("pinterest: a token source is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("pinterest: base URL %q is not an absolute URL", cfg.BaseURL)
	}
	c := &Client{
		base:     base,
		tokens:   cfg.TokenSource,
		http:     cfg.HTTPClient,
		agent:    cfg.UserAgent,
		retry:    cfg.Retry.withDefaults(),
		attempt:  cfg.AttemptTimeout,
		observer: cfg.OnRequest,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.attempt <= 0 {
		c.attempt = DefaultAttemptTimeout
	}
	if cfg.MaxConcurrentRequests > 0 {
		c.slots = make(chan struct{}, cfg.MaxConcurrentRequests)
	}
	return c, nil
}

// BaseURL returns the API root the client calls.
func (c *Client) BaseURL() string { return c.base }

// List returns every custom event of the ad account, in the order Pinterest gives.
// Mapping types outside the writable set, and null, are returned as they came.
func (c *Client) List(ctx context.Context, adAccountID string) ([]Event, error) {
	var answer struct {
		Items []Event `json:"items"`
	}
	_, err := c.do(ctx, &request{method: http.MethodGet, adAccountID: adAccountID}, &answer)
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(answer.Items))
	for _, e := range answer.Items {
		if e.Name != "" {
			events = append(events, e)
		}
	}
	return events, nil
}

// Create defines new custom events. The error is for the request as a whole; each
// event's own outcome is in the result of the same index.
//
// When an attempt's answer was lost and a later attempt reports an event as a
// duplicate, the event is looked up: if it exists with the requested mapping, the lost
// attempt created it and the result is a success. Any other existing event stays a
// duplicate, so nothing made outside Terraform is adopted silently.
func (c *Client) Create(ctx context.Context, adAccountID string, events []Event) ([]ItemResult, error) {
	results, uncertain, err := c.write(ctx, http.MethodPost, "create", adAccountID, events)
	if err == nil && uncertain {
		c.confirmLostCreates(ctx, adAccountID, events, results)
	}
	return results, err
}

// confirmLostCreates clears the duplicate errors of the events that exist with the
// requested mapping, which an attempt whose answer was lost must have created. Without
// the list nothing shows that, so the errors then stand.
func (c *Client) confirmLostCreates(ctx context.Context, adAccountID string, events []Event, results []ItemResult) {
	var current []Event
	for i := range results {
		if !errors.Is(results[i].Err, ErrDuplicateName) {
			continue
		}
		if current == nil {
			listed, err := c.List(ctx, adAccountID)
			if err != nil {
				return
			}
			current = listed
		}
		for _, e := range current {
			if SameName(e.Name, events[i].Name) && e.MappingType == events[i].MappingType {
				results[i].Err = nil
			}
		}
	}
}

// UpdateMappings changes the mapping of existing custom events, picked by name.
func (c *Client) UpdateMappings(ctx context.Context, adAccountID string, events []Event) ([]ItemResult, error) {
	results, _, err := c.write(ctx, http.MethodPatch, "update", adAccountID, events)
	return results, err
}

// Untrack stops Pinterest tracking the named custom events. Their past data stays.
func (c *Client) Untrack(ctx context.Context, adAccountID string, names []string) ([]ItemResult, error) {
	if len(names) == 0 {
		return nil, nil
	}
	escaped := make([]string, len(names))
	for i, n := range names {
		escaped[i] = url.QueryEscape(n)
	}
	req := request{
		method:      http.MethodDelete,
		adAccountID: adAccountID,
		rawQuery:    "event_names=" + strings.Join(escaped, ","),
		items:       len(names),
	}
	var answer writeAnswer
	rid, err := c.do(ctx, &req, &answer)
	if err != nil {
		return nil, err
	}
	return matchResults("untrack", adAccountID, names, answer, rid), nil
}

func (c *Client) write(ctx context.Context, method, op, adAccountID string, events []Event) ([]ItemResult, bool, error) {
	if len(events) == 0 {
		return nil, false, nil
	}
	body, err := json.Marshal(struct {
		Items []Event `json:"items"`
	}{events})
	if err != nil {
		return nil, false, fmt.Errorf("pinterest: encoding the %s request: %w", op, err)
	}
	req := request{method: method, adAccountID: adAccountID, body: body, items: len(events)}

	var answer writeAnswer
	rid, err := c.do(ctx, &req, &answer)
	if err != nil {
		return nil, false, err
	}
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Name
	}
	return matchResults(op, adAccountID, names, answer, rid), req.uncertain, nil
}

// writeAnswer is the body of a 200 answer to create, update and untrack.
type writeAnswer struct {
	Items []struct {
		Name       string     `json:"name"`
		Status     string     `json:"status"`
		Exceptions exceptions `json:"exceptions"`
	} `json:"items"`
}

// matchResults pairs each requested name with its item in the answer: by name first, as
// Pinterest echoes names, and by position for an item that carries none.
func matchResults(op, adAccountID string, names []string, answer writeAnswer, rid string) []ItemResult {
	used := make([]bool, len(answer.Items))
	results := make([]ItemResult, len(names))
	for i, name := range names {
		found := -1
		for j, it := range answer.Items {
			if !used[j] && SameName(it.Name, name) {
				found = j
				break
			}
		}
		if found < 0 && i < len(answer.Items) && !used[i] && answer.Items[i].Name == "" {
			found = i
		}
		results[i].Name = name
		if found < 0 {
			results[i].Err = &ItemError{
				Operation: op, AdAccountID: adAccountID, Name: name, RequestID: rid,
				Exceptions: []string{"the answer did not report on this event"}, class: ErrServer,
			}
			continue
		}
		used[found] = true
		it := answer.Items[found]
		if strings.EqualFold(it.Status, "success") {
			continue
		}
		results[i].Err = &ItemError{
			Operation: op, AdAccountID: adAccountID, Name: name, RequestID: rid,
			Exceptions: it.Exceptions, class: classifyExceptions(it.Exceptions),
		}
	}
	return results
}

// exceptions decodes Pinterest's list of exception strings, keeping the text of any
// entry that is not a plain string rather than failing on it.
type exceptions []string

func (x *exceptions) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var one string
		if json.Unmarshal(b, &one) == nil {
			*x = exceptions{one}
			return nil
		}
		*x = exceptions{string(b)}
		return nil
	}
	out := make(exceptions, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
		} else {
			out = append(out, string(r))
		}
	}
	*x = out
	return nil
}

// UnmarshalJSON reads a mapping type without ever failing: null and values that are not
// strings become the zero MappingType.
func (t *MappingType) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = MappingType(s)
	} else {
		*t = ""
	}
	return nil
}

// request is one call before it is sent; uncertain is set when an attempt may have
// reached Pinterest without its answer reaching us.
type request struct {
	method      string
	adAccountID string
	rawQuery    string
	body        []byte
	items       int
	uncertain   bool
}

func (c *Client) path(adAccountID string) string {
	return "/ad_accounts/" + url.PathEscape(adAccountID) + "/advertiser_defined_events"
}

// do sends the request, retrying as the policy allows, and decodes a 2xx answer into
// out. It returns the request id of the answer it used, and marks req uncertain when an
// attempt may have been carried out without its answer reaching us.
func (c *Client) do(ctx context.Context, req *request, out any) (string, error) {
	path := c.path(req.adAccountID)
	var lastErr error
	for attempt := 1; ; attempt++ {
		info := RequestInfo{
			Method: req.method, Path: path, AdAccountID: req.adAccountID,
			Items: req.items, Attempt: attempt,
		}
		start := time.Now()
		status, retryAfter, err := c.attempt1(ctx, *req, path, out, &info)
		info.Duration = time.Since(start)
		info.Status = status
		info.Err = err
		if err == nil {
			c.observe(ctx, info)
			return info.RequestID, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			c.observe(ctx, info)
			return "", fmt.Errorf("%s %s: %w", req.method, path, ctx.Err())
		}
		if !retryable(err) || attempt > c.retry.MaxRetries {
			c.observe(ctx, info)
			if attempt > 1 && retryable(err) {
				return "", fmt.Errorf("giving up after %d attempts: %w", attempt, lastErr)
			}
			return "", lastErr
		}
		if status == 0 || status == http.StatusInternalServerError ||
			status == http.StatusBadGateway || status == http.StatusGatewayTimeout ||
			status/100 == 2 {
			// The request may have been carried out even though no usable answer came.
			req.uncertain = true
		}
		wait := c.retry.wait(attempt, retryAfter)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			c.observe(ctx, info)
			return "", fmt.Errorf("giving up after %d attempts, as the next would start "+
				"after the operation's deadline: %w", attempt, lastErr)
		}
		info.RetryIn = wait
		c.observe(ctx, info)
		if err := sleep(ctx, wait); err != nil {
			return "", fmt.Errorf("%s %s: %w (after %d attempts, last: %v)",
				req.method, path, err, attempt, lastErr)
		}
	}
}

func (c *Client) observe(ctx context.Context, info RequestInfo) {
	if c.observer != nil {
		c.observer(ctx, info)
	}
}

// attempt1 makes one attempt. It returns the HTTP status (0 when none came) and any
// Retry-After the answer asked for.
func (c *Client) attempt1(ctx context.Context, req request, path string, out any, info *RequestInfo) (int, time.Duration, error) {
	token, err := c.tokens.Token()
	if err != nil {
		return 0, 0, &APIError{
			Method: req.method, Path: path, class: ErrAuthentication,
			Message: "could not obtain an access token: " + err.Error(),
		}
	}

	if c.slots != nil {
		select {
		case c.slots <- struct{}{}:
			defer func() { <-c.slots }()
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}

	actx, cancel := context.WithTimeout(ctx, c.attempt)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	u := c.base + path
	if req.rawQuery != "" {
		u += "?" + req.rawQuery
	}
	hreq, err := http.NewRequestWithContext(actx, req.method, u, body)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %s: building the request: %w", req.method, path, err)
	}
	hreq.Header.Set("Authorization", "Bearer "+token.AccessToken)
	hreq.Header.Set("Accept", "application/json")
	if req.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if c.agent != "" {
		hreq.Header.Set("User-Agent", c.agent)
	}

	resp, err := c.http.Do(hreq)
	if err != nil {
		return 0, 0, &transportError{method: req.method, path: path, err: err}
	}
	defer resp.Body.Close()
	info.RequestID = resp.Header.Get("x-pinterest-rid")
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))

	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, retryAfter(resp.Header), answerError(req.method, path, resp, raw)
	}
	if readErr != nil {
		return resp.StatusCode, 0, &APIError{
			Method: req.method, Path: path, StatusCode: resp.StatusCode,
			RequestID: info.RequestID, class: ErrServer,
			Message: "the answer was cut off: " + readErr.Error(),
		}
	}
	// An earlier attempt may have half decoded its answer into out before failing; start
	// from zero so that none of it passes for part of this answer.
	reflect.ValueOf(out).Elem().SetZero()
	if err := json.Unmarshal(raw, out); err != nil {
		return resp.StatusCode, 0, &APIError{
			Method: req.method, Path: path, StatusCode: resp.StatusCode,
			RequestID: info.RequestID, class: ErrServer,
			Message: "the answer is not the JSON Pinterest documents: " + err.Error(),
		}
	}
	return resp.StatusCode, 0, nil
}

// answerError turns a non-2xx answer into an *APIError, using Pinterest's
// {"code", "message"} body when it has one.
func answerError(method, path string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{
		Method: method, Path: path, StatusCode: resp.StatusCode,
		RequestID: resp.Header.Get("x-pinterest-rid"), RetryAfter: retryAfter(resp.Header),
	}
	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil && (body.Code != 0 || body.Message != "") {
		e.Code, e.Message = body.Code, body.Message
	} else {
		e.Message = strings.TrimSpace(http.StatusText(resp.StatusCode))
	}
	e.class = classifyStatus(resp.StatusCode, e.Code, e.Message)
	return e
}

// transportError is an attempt that got no HTTP answer: a refused, dropped or timed-out
// connection.
type transportError struct {
	method, path string
	err          error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("%s %s: no answer from Pinterest: %v", e.method, e.path, e.err)
}

func (e *transportError) Unwrap() error { return e.err }
