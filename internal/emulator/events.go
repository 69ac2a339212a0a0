package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Failure strings carried in the exceptions of a per-item result. Pinterest documents only
// duplicate_event_name; the others are the emulator's stand-ins for the undocumented cases.
const (
	ExceptionDuplicateName = "duplicate_event_name"
	ExceptionLimitExceeded = "advertiser_event_limit_exceeded"
	ExceptionNotFound      = "event_not_found"
	ExceptionClonedAccount = "cloned_ad_account_events_read_only"
)

// Error codes of whole-request errors, as Pinterest's examples show them.
const (
	codeInvalidParameters = 1
	codeAuthFailed        = 2
	codeMissingScope      = 3
	codeRateLimited       = 8
	codeNotPermitted      = 29
	codeNotFound          = 404
	codeMethodNotAllowed  = 405
	codeServerError       = 500
	codeBadGateway        = 502
	codeUnavailable       = 4197
)

// WritableMappingTypes are the mapping types that create and update accept.
var WritableMappingTypes = []string{
	"SIGNUP", "ADD_TO_CART", "LEAD", "CHECKOUT", "SUBSCRIBE", "ADD_TO_WISHLIST",
	"ADD_PAYMENT_INFO", "INITIATE_CHECKOUT", "CONTACT", "CUSTOMIZE_PRODUCT", "FIND_LOCATION",
	"SCHEDULE", "SUBMIT_APPLICATION", "START_TRIAL", "PAGE_VISIT", "VIEW_CATEGORY",
	"VIEW_CONTENT", "SEARCH", "WATCH_VIDEO",
}

var (
	eventsPath    = regexp.MustCompile(`^/v5/ad_accounts/([^/]+)/advertiser_defined_events$`)
	adAccountID   = regexp.MustCompile(`^[0-9]{1,18}$`)
	eventNameRule = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)
)

const eventsMethods = "GET, POST, PATCH, DELETE"

// apiError is the body of every whole-request error.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// itemResult is the per-item answer of create, update and untrack.
type itemResult struct {
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Exceptions []string `json:"exceptions,omitempty"`
}

// listBody is the answer of the list call.
type listBody struct {
	Items []Event `json:"items"`
}

// writeBody is the answer of create, update and untrack.
type writeBody struct {
	Items []itemResult `json:"items"`
}

// wireItem is one item of a create or update request; nil fields were missing or null.
type wireItem struct {
	Name        *string `json:"name"`
	MappingType *string `json:"mapped_conversion_type"`
}

// answer is a response not yet written, so that the lost-answer fault can apply a request
// and then withhold what it would have said.
type answer struct {
	status int
	header http.Header
	body   any
	// none means the client went away before an answer was due.
	none bool
}

// errorAnswer builds a whole-request error answer.
func errorAnswer(status, code int, format string, args ...any) answer {
	return answer{status: status, body: apiError{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// serveAPI handles every request that is neither OAuth nor admin, in the order the real
// service would meet them: fault, rate limit, latency, auth, scope, account, body, apply.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	rec := e.record(r, body)

	m := eventsPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		e.send(w, rec, errorAnswer(http.StatusNotFound, codeNotFound,
			"No route matches %s %s.", r.Method, r.URL.Path))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete:
	default:
		w.Header().Set("Allow", eventsMethods)
		e.send(w, rec, errorAnswer(http.StatusMethodNotAllowed, codeMethodNotAllowed,
			"Method %s is not allowed here; use one of %s.", r.Method, eventsMethods))
		return
	}

	fault := e.drawFault(r.Method, rec)
	if fault != "" && fault != FaultLostAnswer {
		e.injectFault(w, r, rec, fault, m[1])
		return
	}

	if readErr == nil && len(body) > maxBodyBytes {
		readErr = fmt.Errorf("the request body is larger than %d bytes", maxBodyBytes)
	}
	ans := e.handleEvents(r, m[1], body, readErr)

	if fault == FaultLostAnswer {
		e.setStatus(rec, 0)
		abortConnection(w)
		return
	}
	e.send(w, rec, ans)
}

// handleEvents runs every check after fault injection and applies the call. A body that
// could not be read is reported where body validation happens, after auth.
func (e *Emulator) handleEvents(r *http.Request, accountID string, body []byte,
	readErr error,
) answer {
	if ans, limited := e.checkRateLimit(bearerToken(r)); limited {
		return ans
	}
	if !e.wait(r) {
		return answer{none: true}
	}

	scopes, ok := e.tokenScopes(bearerToken(r))
	if !ok {
		return errorAnswer(http.StatusUnauthorized, codeAuthFailed, "Authentication failed.")
	}
	need := ScopeAdsWrite
	if r.Method == http.MethodGet {
		need = ScopeAdsRead
	}
	if !scopes[need] {
		return errorAnswer(http.StatusForbidden, codeMissingScope,
			"Not authorized to access the requested resource: the token lacks the %s scope.", need)
	}

	if !adAccountID.MatchString(accountID) {
		return errorAnswer(http.StatusBadRequest, codeInvalidParameters,
			"Invalid parameter ad_account_id: it must be 1 to 18 decimal digits.")
	}
	if e.isDenied(accountID) {
		return errorAnswer(http.StatusForbidden, codeNotPermitted,
			"You are not permitted to access ad account %s.", accountID)
	}

	switch r.Method {
	case http.MethodGet:
		return answer{status: http.StatusOK, body: e.list(accountID)}
	case http.MethodPost, http.MethodPatch:
		if readErr != nil {
			return errorAnswer(http.StatusBadRequest, codeInvalidParameters,
				"Could not read the request body: %v.", readErr)
		}
		items, bad := parseItems(r, body)
		if bad != nil {
			return *bad
		}
		if r.Method == http.MethodPost {
			return e.create(accountID, items)
		}
		return e.update(accountID, items)
	default:
		names, bad := parseEventNames(r)
		if bad != nil {
			return *bad
		}
		return e.untrack(accountID, names)
	}
}

// parseItems validates a create or update body as the API schema would: any fault rejects
// the whole request before anything is applied.
func parseItems(r *http.Request, body []byte) ([]Event, *answer) {
	bad := func(format string, args ...any) ([]Event, *answer) {
		a := errorAnswer(http.StatusBadRequest, codeInvalidParameters, format, args...)
		return nil, &a
	}

	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return bad("Content-Type must be application/json.")
	}
	var req struct {
		Items *[]wireItem `json:"items"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return bad("The request body is not valid JSON for this call: %v.", err)
	}
	if req.Items == nil {
		return bad("Missing required field items.")
	}
	if len(*req.Items) == 0 {
		return bad("Field items must hold at least 1 item.")
	}

	events := make([]Event, 0, len(*req.Items))
	for i, it := range *req.Items {
		if it.Name == nil {
			return bad("Missing required field items[%d].name.", i)
		}
		if it.MappingType == nil {
			return bad("Missing required field items[%d].mapped_conversion_type.", i)
		}
		if msg := checkName(*it.Name); msg != "" {
			return bad("Invalid items[%d].name: %s", i, msg)
		}
		if !isWritableType(*it.MappingType) {
			return bad("Invalid items[%d].mapped_conversion_type: %q is not one of %s.",
				i, *it.MappingType, strings.Join(WritableMappingTypes, ", "))
		}
		events = append(events, Event{Name: *it.Name, MappingType: String(*it.MappingType)})
	}
	return events, nil
}

// parseEventNames reads the comma-separated event_names query of an untrack call.
func parseEventNames(r *http.Request) ([]string, *answer) {
	bad := func(format string, args ...any) ([]string, *answer) {
		a := errorAnswer(http.StatusBadRequest, codeInvalidParameters, format, args...)
		return nil, &a
	}

	values, ok := r.URL.Query()["event_names"]
	switch {
	case !ok:
		return bad("Missing required query parameter event_names.")
	case len(values) > 1:
		// The API takes one comma-separated list; a repeated parameter is a client mistake
		// that the real service may read differently, so reject it loudly.
		return bad("Query parameter event_names must be given once, as a comma-separated list.")
	}
	names := strings.Split(values[0], ",")
	for i, n := range names {
		if msg := checkName(n); msg != "" {
			return bad("Invalid event_names[%d]: %s", i, msg)
		}
	}
	return names, nil
}

// checkName returns why name breaks the naming rule, or "".
func checkName(name string) string {
	if eventNameRule.MatchString(name) {
		return ""
	}
	return fmt.Sprintf("%q must be 1 to 100 characters of A-Z, a-z, 0-9, _ and -.", name)
}

// isWritableType reports whether create and update accept mapping type t.
func isWritableType(t string) bool {
	for _, w := range WritableMappingTypes {
		if t == w {
			return true
		}
	}
	return false
}

// list builds the list answer.
func (e *Emulator) list(accountID string) listBody {
	e.mu.Lock()
	defer e.mu.Unlock()

	events := e.eventsLocked(accountID)
	if e.lowercaseNames {
		for i := range events {
			events[i].Name = strings.ToLower(events[i].Name)
		}
	}
	return listBody{Items: events}
}

// create applies a create call item by item, so earlier items succeed even when later ones
// hit a duplicate or the limit.
func (e *Emulator) create(accountID string, items []Event) answer {
	e.mu.Lock()
	acct := e.account(accountID)
	results := make([]itemResult, 0, len(items))
	changed := false
	for _, it := range items {
		switch i := acct.find(it.Name); {
		case i >= 0 && e.createUpsert:
			acct.events[i].MappingType = it.MappingType
			results = append(results, success(it.Name))
			changed = true
		case i >= 0:
			results = append(results, failure(it.Name, ExceptionDuplicateName))
		case len(acct.events) >= MaxEventsPerAdAccount:
			results = append(results, failure(it.Name, ExceptionLimitExceeded))
		default:
			acct.events = append(acct.events, it)
			results = append(results, success(it.Name))
			changed = true
		}
	}
	e.mu.Unlock()

	return e.afterWrite(changed, results)
}

// update applies an update-mapping call; names pick the events, ignoring case.
func (e *Emulator) update(accountID string, items []Event) answer {
	e.mu.Lock()
	acct := e.account(accountID)
	results := make([]itemResult, 0, len(items))
	changed := false
	for _, it := range items {
		switch i := acct.find(it.Name); {
		case acct.cloned:
			results = append(results, failure(it.Name, ExceptionClonedAccount))
		case i >= 0:
			acct.events[i].MappingType = it.MappingType
			results = append(results, success(it.Name))
			changed = true
		case e.silentMissing:
			results = append(results, success(it.Name))
		default:
			results = append(results, failure(it.Name, ExceptionNotFound))
		}
	}
	e.mu.Unlock()

	return e.afterWrite(changed, results)
}

// untrack applies an untrack call; names pick the events, ignoring case.
func (e *Emulator) untrack(accountID string, names []string) answer {
	e.mu.Lock()
	acct := e.account(accountID)
	results := make([]itemResult, 0, len(names))
	changed := false
	for _, name := range names {
		switch i := acct.find(name); {
		case acct.cloned:
			results = append(results, failure(name, ExceptionClonedAccount))
		case i >= 0:
			acct.events = append(acct.events[:i], acct.events[i+1:]...)
			results = append(results, success(name))
			changed = true
		case e.silentMissing:
			results = append(results, success(name))
		default:
			results = append(results, failure(name, ExceptionNotFound))
		}
	}
	e.mu.Unlock()

	return e.afterWrite(changed, results)
}

// afterWrite saves the state when a write changed it and builds the answer. A failed save
// answers 500 so that whoever relies on the state file notices.
func (e *Emulator) afterWrite(changed bool, results []itemResult) answer {
	if changed {
		if err := e.autosave(); err != nil {
			return errorAnswer(http.StatusInternalServerError, codeServerError,
				"The emulator applied the call but could not save its state: %v.", err)
		}
	}
	return answer{status: http.StatusOK, body: writeBody{Items: results}}
}

// success is the per-item result of an applied item.
func success(name string) itemResult {
	return itemResult{Name: name, Status: "success"}
}

// failure is the per-item result of an item that was not applied.
func failure(name, exception string) itemResult {
	return itemResult{Name: name, Status: "failure", Exceptions: []string{exception}}
}

// bearerToken returns the token of an Authorization: Bearer header, or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// tokenScopes returns the scopes of a known access token.
func (e *Emulator) tokenScopes(token string) (map[string]bool, bool) {
	if token == "" {
		return nil, false
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	scopes, ok := e.tokens[token]
	return scopes, ok
}

// isDenied reports whether DenyAccount was called for the ad account.
func (e *Emulator) isDenied(accountID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.denied[accountID]
}

// wait sleeps for the configured latency and reports whether the request should go on:
// false when the client went away or the emulator closed meanwhile.
func (e *Emulator) wait(r *http.Request) bool {
	e.mu.Lock()
	d := e.latency
	e.mu.Unlock()
	if d <= 0 {
		return true
	}

	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-e.closed:
		return false
	}
}

// record logs an API request before anything else happens to it.
func (e *Emulator) record(r *http.Request, body []byte) *Request {
	rec := &Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Body:     append([]byte(nil), body...),
		At:       time.Now(),
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, rec)
	if n := len(e.requests); n > maxRecordedRequests {
		e.requests = append([]*Request(nil), e.requests[n-maxRecordedRequests:]...)
	}
	e.requestCounts[r.Method]++
	e.stats.byMethod[r.Method]++
	e.stats.total++
	return rec
}

// setStatus notes the status answered to a recorded request.
func (e *Emulator) setStatus(rec *Request, status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec.Status = status
	if status == http.StatusTooManyRequests {
		e.stats.throttled++
	}
}

// send writes an answer and records its status.
func (e *Emulator) send(w http.ResponseWriter, rec *Request, ans answer) {
	if ans.none {
		e.setStatus(rec, 0)
		return
	}
	e.setStatus(rec, ans.status)
	for k, vs := range ans.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeJSON(w, ans.status, ans.body)
}

// writeJSON writes v as the JSON body of a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":500,"message":"The emulator could not encode its answer."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
