package pinterest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sentinels are every class of failure the package exports.
var sentinels = []error{
	ErrAuthentication, ErrPermission, ErrNotFound, ErrRateLimited, ErrSpam, ErrEventLimit,
	ErrClonedAccount, ErrDuplicateName, ErrEventNotFound, ErrInvalidInput, ErrServer,
}

// matchedSentinels returns the classes err matches with errors.Is.
func matchedSentinels(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestAPIError_wholeRequestFailures(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		retryAfter  string
		wantClass   error
		wantCode    int
		wantMessage string
	}{
		{
			name:        "400 code 1 is invalid input",
			status:      http.StatusBadRequest,
			body:        `{"code":1,"message":"Invalid parameters."}`,
			wantClass:   ErrInvalidInput,
			wantCode:    1,
			wantMessage: "Invalid parameters.",
		},
		{
			name:        "400 without a JSON body is invalid input",
			status:      http.StatusBadRequest,
			body:        `Bad Request`,
			wantClass:   ErrInvalidInput,
			wantMessage: "Bad Request",
		},
		{
			name:        "400 speaking of a limit is the event limit",
			status:      http.StatusBadRequest,
			body:        `{"code":1,"message":"Advertiser has reached the custom event limit."}`,
			wantClass:   ErrEventLimit,
			wantCode:    1,
			wantMessage: "Advertiser has reached the custom event limit.",
		},
		{
			name:        "401 code 2 is authentication",
			status:      http.StatusUnauthorized,
			body:        `{"code":2,"message":"Authentication failed."}`,
			wantClass:   ErrAuthentication,
			wantCode:    2,
			wantMessage: "Authentication failed.",
		},
		{
			name:        "403 code 3 is permission",
			status:      http.StatusForbidden,
			body:        `{"code":3,"message":"Your application consumer type is not supported."}`,
			wantClass:   ErrPermission,
			wantCode:    3,
			wantMessage: "Your application consumer type is not supported.",
		},
		{
			name:        "403 code 29 is permission",
			status:      http.StatusForbidden,
			body:        `{"code":29,"message":"You are not permitted to access that resource."}`,
			wantClass:   ErrPermission,
			wantCode:    29,
			wantMessage: "You are not permitted to access that resource.",
		},
		{
			name:        "403 about a cloned account",
			status:      http.StatusForbidden,
			body:        `{"code":29,"message":"Events of a cloned ad account cannot be changed."}`,
			wantClass:   ErrClonedAccount,
			wantCode:    29,
			wantMessage: "Events of a cloned ad account cannot be changed.",
		},
		{
			name:        "404 is not found",
			status:      http.StatusNotFound,
			body:        `{"code":404,"message":"Ad account not found."}`,
			wantClass:   ErrNotFound,
			wantCode:    404,
			wantMessage: "Ad account not found.",
		},
		{
			name:        "404 with an HTML page",
			status:      http.StatusNotFound,
			body:        `<html><body>Not Found</body></html>`,
			wantClass:   ErrNotFound,
			wantMessage: "Not Found",
		},
		{
			name:        "429 code 8 is rate limited",
			status:      http.StatusTooManyRequests,
			body:        `{"code":8,"message":"You have exceeded your rate limit. Try again later."}`,
			retryAfter:  "7",
			wantClass:   ErrRateLimited,
			wantCode:    8,
			wantMessage: "You have exceeded your rate limit. Try again later.",
		},
		{
			name:        "429 about spam",
			status:      http.StatusTooManyRequests,
			body:        `{"code":8,"message":"Request blocked: suspected Spam."}`,
			wantClass:   ErrSpam,
			wantCode:    8,
			wantMessage: "Request blocked: suspected Spam.",
		},
		{
			name:        "500 with an HTML page",
			status:      http.StatusInternalServerError,
			body:        `<html>oops</html>`,
			wantClass:   ErrServer,
			wantMessage: "Internal Server Error",
		},
		{
			name:        "502 with an empty body",
			status:      http.StatusBadGateway,
			wantClass:   ErrServer,
			wantMessage: "Bad Gateway",
		},
		{
			name:        "503 code 4197",
			status:      http.StatusServiceUnavailable,
			body:        `{"code":4197,"message":"Service is not accepting traffic."}`,
			wantClass:   ErrServer,
			wantCode:    4197,
			wantMessage: "Service is not accepting traffic.",
		},
		{
			name:        "JSON without code or message",
			status:      http.StatusServiceUnavailable,
			body:        `{"error":"busy"}`,
			wantClass:   ErrServer,
			wantMessage: "Service Unavailable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				h := []string{"x-pinterest-rid", "rid-" + strconv.Itoa(tt.status)}
				if tt.retryAfter != "" {
					h = append(h, "Retry-After", tt.retryAfter)
				}
				answerJSON(w, tt.status, tt.body, h...)
			})
			_, err := newTestClient(t, api, noRetry).List(context.Background(), testAdAccount)

			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if got := matchedSentinels(err); len(got) != 1 || got[0] != tt.wantClass {
				t.Errorf("error %v matches %v, want only %v", err, got, tt.wantClass)
			}
			if apiErr.Class() != tt.wantClass {
				t.Errorf("Class() = %v, want %v", apiErr.Class(), tt.wantClass)
			}
			wantRID := "rid-" + strconv.Itoa(tt.status)
			if apiErr.StatusCode != tt.status || apiErr.Code != tt.wantCode ||
				apiErr.Message != tt.wantMessage || apiErr.RequestID != wantRID {
				t.Errorf("APIError = %+v, want status %d, code %d, message %q, request id %q",
					apiErr, tt.status, tt.wantCode, tt.wantMessage, wantRID)
			}
			if apiErr.Method != http.MethodGet || apiErr.Path != strings.TrimPrefix(eventsPath, "/v5") {
				t.Errorf("APIError names %s %s", apiErr.Method, apiErr.Path)
			}
			text := err.Error()
			for _, part := range []string{strconv.Itoa(tt.status), tt.wantMessage, wantRID} {
				if !strings.Contains(text, part) {
					t.Errorf("Error() = %q, missing %q", text, part)
				}
			}
			if tt.wantCode != 0 && !strings.Contains(text, "code "+strconv.Itoa(tt.wantCode)) {
				t.Errorf("Error() = %q, missing the code %d", text, tt.wantCode)
			}
			if n := api.count(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestAPIError_retryAfterHeader(t *testing.T) {
	tests := []struct {
		name    string
		header  func() string
		wantMin time.Duration
		wantMax time.Duration
	}{
		{
			name:    "seconds",
			header:  func() string { return "7" },
			wantMin: 7 * time.Second,
			wantMax: 7 * time.Second,
		},
		{
			name:    "seconds with spaces",
			header:  func() string { return " 3 " },
			wantMin: 3 * time.Second,
			wantMax: 3 * time.Second,
		},
		{
			name:    "HTTP date",
			header:  func() string { return time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat) },
			wantMin: 8 * time.Second,
			wantMax: 10 * time.Second,
		},
		{
			name:   "HTTP date in the past",
			header: func() string { return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat) },
		},
		{name: "absent", header: func() string { return "" }},
		{name: "negative", header: func() string { return "-5" }},
		{name: "garbage", header: func() string { return "soon" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				var h []string
				if v := tt.header(); v != "" {
					h = []string{"Retry-After", v}
				}
				answerJSON(w, http.StatusTooManyRequests,
					`{"code":8,"message":"Rate limit exceeded."}`, h...)
			})
			_, err := newTestClient(t, api, noRetry).List(context.Background(), testAdAccount)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if apiErr.RetryAfter < tt.wantMin || apiErr.RetryAfter > tt.wantMax {
				t.Errorf("RetryAfter = %v, want between %v and %v",
					apiErr.RetryAfter, tt.wantMin, tt.wantMax)
			}
		})
	}
}

func TestAPIError_errorText(t *testing.T) {
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{
			name: "everything",
			err: &APIError{Method: "GET", Path: "/p", StatusCode: 429, Code: 8,
				Message: "slow down", RequestID: "abc"},
			want: "GET /p: HTTP 429, code 8: slow down (request id abc)",
		},
		{
			name: "status only",
			err:  &APIError{Method: "POST", Path: "/p", StatusCode: 502},
			want: "POST /p: HTTP 502",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestItemError_errorText(t *testing.T) {
	e := &ItemError{Operation: "create", AdAccountID: "12", Name: "ev",
		Exceptions: []string{"x_failed", "y_failed"}}
	want := `create of custom event "ev" in ad account 12 failed: x_failed, y_failed`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Exceptions = nil
	if got := e.Error(); !strings.Contains(got, "no reason given") {
		t.Errorf("Error() = %q, want it to say no reason was given", got)
	}
	if len(matchedSentinels(e)) != 0 {
		t.Errorf("an unclassified ItemError matches %v", matchedSentinels(e))
	}
}

func TestClassifyExceptions(t *testing.T) {
	tests := []struct {
		exception string
		want      error
	}{
		{"duplicate_event_name", ErrDuplicateName},
		{"DUPLICATE_EVENT_NAME", ErrDuplicateName},
		{"event_already_exists", ErrDuplicateName},
		{"An event with this name already exists", ErrDuplicateName},
		{"custom_event_limit_reached", ErrEventLimit},
		{"event_limit_exceeded", ErrEventLimit},
		{"too_many_custom_events", ErrEventLimit},
		{"Too many custom events", ErrEventLimit},
		{"maximum_number_of_events", ErrEventLimit},
		{"cloned_ad_account", ErrClonedAccount},
		{"ad_account_is_clone", ErrClonedAccount},
		{"events_inherited_from_parent", ErrClonedAccount},
		{"event_not_found", ErrEventNotFound},
		{"event_does_not_exist", ErrEventNotFound},
		{"no_such_event", ErrEventNotFound},
		{"unknown_event", ErrEventNotFound},
		{"invalid_mapped_conversion_type", ErrInvalidInput},
		{"mapping_not_allowed", ErrInvalidInput},
		{"flux_capacitor_offline", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.exception, func(t *testing.T) {
			if got := classifyExceptions([]string{tt.exception}); got != tt.want {
				t.Errorf("class of %q = %v, want %v", tt.exception, got, tt.want)
			}
		})
	}
}

func TestClassifyExceptions_firstKnownWins(t *testing.T) {
	got := classifyExceptions([]string{"something_odd", "duplicate_event_name", "event_not_found"})
	if got != ErrDuplicateName {
		t.Errorf("class = %v, want ErrDuplicateName", got)
	}
	if got := classifyExceptions(nil); got != nil {
		t.Errorf("class of no exceptions = %v, want nil", got)
	}
}

func TestMayHaveSucceeded(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":                 {nil, false},
		"per-event duplicate": {&ItemError{class: ErrDuplicateName}, false},
		"per-event no report": {&ItemError{class: ErrServer}, true},
		"400":                 {&APIError{StatusCode: 400, class: ErrInvalidInput}, false},
		"429":                 {&APIError{StatusCode: 429, class: ErrRateLimited}, false},
		"500":                 {&APIError{StatusCode: 500, class: ErrServer}, true},
		"unreadable 200":      {&APIError{StatusCode: 200, class: ErrServer}, true},
		"no token":            {&APIError{class: ErrAuthentication}, false},
		"dropped":             {&transportError{err: io.ErrUnexpectedEOF}, true},
		"cancelled":           {fmt.Errorf("POST /x: %w", context.Canceled), true},
		"gave up":             {fmt.Errorf("giving up: %w", &APIError{StatusCode: 503}), true},
	}
	for name, tc := range cases {
		if got := MayHaveSucceeded(tc.err); got != tc.want {
			t.Errorf("%s: MayHaveSucceeded = %v, want %v", name, got, tc.want)
		}
	}
}

func TestClassifyTextMatchesWordsFromTheirStart(t *testing.T) {
	cases := map[string]error{
		"apparently the request was transparent": nil,
		"events of a parent account":             ErrClonedAccount,
		"cloned_ad_account_events_read_only":     ErrClonedAccount,
		"unlimited":                              nil,
		"advertiser-event-limit":                 ErrEventLimit,
		"Event already exists.":                  ErrDuplicateName,
	}
	for text, want := range cases {
		if got := classifyText(text); got != want {
			t.Errorf("classifyText(%q) = %v, want %v", text, got, want)
		}
	}
}
