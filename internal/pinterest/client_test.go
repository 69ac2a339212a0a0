package pinterest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// testToken is the access token every test client sends. It is distinctive so that a
// leak into logs or errors is easy to spot.
const testToken = "tok-5b1e-never-log-me"

// testAdAccount is the ad account every test calls.
const testAdAccount = "549755885175"

// eventsPath is the path the client must call for testAdAccount, base URL prefix included.
const eventsPath = "/v5/ad_accounts/" + testAdAccount + "/advertiser_defined_events"

// seenRequest is what a test server kept of one request.
type seenRequest struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// fakeAPI is a test server that records every request and lets the test answer each one.
type fakeAPI struct {
	*httptest.Server

	mu   sync.Mutex
	seen []seenRequest
}

// handlerFunc answers the n-th request (counting from 1) a fakeAPI receives.
type handlerFunc func(w http.ResponseWriter, r *http.Request, n int)

// newFakeAPI starts a server that records each request and hands it to answer.
func newFakeAPI(t *testing.T, answer handlerFunc) *fakeAPI {
	t.Helper()
	api := &fakeAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		api.mu.Lock()
		api.seen = append(api.seen, seenRequest{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body,
		})
		n := len(api.seen)
		api.mu.Unlock()
		answer(w, r, n)
	}))
	t.Cleanup(api.Close)
	return api
}

// requests returns a copy of the requests received so far.
func (a *fakeAPI) requests() []seenRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seenRequest(nil), a.seen...)
}

// count returns the number of requests received so far.
func (a *fakeAPI) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.seen)
}

// countMethod returns how many requests used the method.
func (a *fakeAPI) countMethod(method string) int {
	n := 0
	for _, r := range a.requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

// answerJSON writes a JSON answer with the status and optional header pairs.
func answerJSON(w http.ResponseWriter, status int, body string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// dropConnection closes the connection without writing any answer.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("the test server cannot hijack connections")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijacking the connection: %v", err)
		return
	}
	_ = conn.Close()
}

// fastRetry is a retry policy quick enough for tests.
func fastRetry(maxRetries int) RetryPolicy {
	return RetryPolicy{MaxRetries: maxRetries, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}
}

// newTestClient returns a client of the fake API with fast retries; options adjust the
// configuration before the client is built.
func newTestClient(t *testing.T, api *fakeAPI, options ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:     api.URL + "/v5",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
		UserAgent:   "terraform-provider-pinterest/test",
		Retry:       fastRetry(3),
	}
	for _, o := range options {
		o(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// withRetry sets the client's retry policy.
func withRetry(p RetryPolicy) func(*Config) {
	return func(c *Config) { c.Retry = p }
}

// noRetry makes the client try each call once.
var noRetry = withRetry(RetryPolicy{MaxRetries: -1})

// tokenFunc adapts a function to oauth2.TokenSource.
type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }

// requireResults fails the test unless the results name the events in order.
func requireResults(t *testing.T, results []ItemResult, names ...string) {
	t.Helper()
	if len(results) != len(names) {
		t.Fatalf("got %d results, want %d: %+v", len(results), len(names), results)
	}
	for i, n := range names {
		if results[i].Name != n {
			t.Errorf("result %d is for %q, want %q", i, results[i].Name, n)
		}
	}
}

func TestNewClient_requiresTokenSource(t *testing.T) {
	_, err := NewClient(Config{BaseURL: "https://example.test/v5"})
	if err == nil {
		t.Fatal("NewClient accepted a configuration without a token source")
	}
}

func TestNewClient_baseURL(t *testing.T) {
	tokens := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})
	tests := []struct {
		name    string
		baseURL string
		want    string
		wantErr bool
	}{
		{name: "empty means production", baseURL: "", want: DefaultBaseURL},
		{name: "kept as given", baseURL: "http://127.0.0.1:8080/v5", want: "http://127.0.0.1:8080/v5"},
		{
			name:    "trailing slash trimmed",
			baseURL: "https://api.example.test/v5/",
			want:    "https://api.example.test/v5",
		},
		{name: "no scheme", baseURL: "api.pinterest.com/v5", wantErr: true},
		{name: "path only", baseURL: "/v5", wantErr: true},
		{name: "scheme without host", baseURL: "https:///v5", wantErr: true},
		{name: "unparsable", baseURL: "http://[::1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(Config{BaseURL: tt.baseURL, TokenSource: tokens})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewClient accepted base URL %q", tt.baseURL)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestList_decodesEvents(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Event
	}{
		{
			name: "writable types",
			body: `{"items":[{"name":"Checkout_Step","mapped_conversion_type":"CHECKOUT"},
				{"name":"newsletter","mapped_conversion_type":"SIGNUP"}]}`,
			want: []Event{{"Checkout_Step", MappingCheckout}, {"newsletter", MappingSignup}},
		},
		{
			name: "read-only and unknown types kept as they came",
			body: `{"items":[{"name":"a","mapped_conversion_type":"CUSTOM"},
				{"name":"b","mapped_conversion_type":"PAGE_LOAD"},
				{"name":"c","mapped_conversion_type":"QUANTUM_LEAP"},
				{"name":"d","mapped_conversion_type":"lead"}]}`,
			want: []Event{{"a", "CUSTOM"}, {"b", "PAGE_LOAD"}, {"c", "QUANTUM_LEAP"}, {"d", "lead"}},
		},
		{
			name: "null type is empty",
			body: `{"items":[{"name":"a","mapped_conversion_type":null}]}`,
			want: []Event{{"a", ""}},
		},
		{
			name: "missing type is empty",
			body: `{"items":[{"name":"a"}]}`,
			want: []Event{{"a", ""}},
		},
		{
			name: "non-string types are empty",
			body: `{"items":[{"name":"a","mapped_conversion_type":7},
				{"name":"b","mapped_conversion_type":{"value":"LEAD"}},
				{"name":"c","mapped_conversion_type":["LEAD"]},
				{"name":"d","mapped_conversion_type":true}]}`,
			want: []Event{{"a", ""}, {"b", ""}, {"c", ""}, {"d", ""}},
		},
		{
			name: "empty names dropped",
			body: `{"items":[{"name":"","mapped_conversion_type":"LEAD"},
				{"mapped_conversion_type":"LEAD"},{"name":"kept","mapped_conversion_type":"LEAD"}]}`,
			want: []Event{{"kept", MappingLead}},
		},
		{
			name: "unknown fields ignored",
			body: `{"items":[{"name":"a","mapped_conversion_type":"LEAD","id":"9"}],"bookmark":"x"}`,
			want: []Event{{"a", MappingLead}},
		},
		{name: "null items", body: `{"items":null}`, want: []Event{}},
		{name: "no items", body: `{}`, want: []Event{}},
		{name: "empty items", body: `{"items":[]}`, want: []Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, tt.body)
			})
			got, err := newTestClient(t, api).List(context.Background(), testAdAccount)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("List = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestList_unreadableAnswerIsServerError(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "not JSON", body: `<html>maintenance</html>`},
		{name: "cut JSON", body: `{"items":[{"name":"a"`},
		{name: "empty body", body: ``},
		{name: "items not a list", body: `{"items":{"name":"a"}}`},
		{name: "top level a list", body: `[{"name":"a"}]`},
		{name: "name not a string", body: `{"items":[{"name":5}]}`},
		{name: "trailing garbage", body: `{"items":[]} trailing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, tt.body, "x-pinterest-rid", "rid-bad-json")
			})
			events, err := newTestClient(t, api, noRetry).List(context.Background(), testAdAccount)
			if err == nil {
				t.Fatalf("List succeeded with %#v", events)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if !errors.Is(err, ErrServer) {
				t.Errorf("error %v does not match ErrServer", err)
			}
			if apiErr.StatusCode != http.StatusOK || apiErr.RequestID != "rid-bad-json" {
				t.Errorf("APIError status %d, request id %q; want 200 and rid-bad-json",
					apiErr.StatusCode, apiErr.RequestID)
			}
		})
	}
}

func TestList_truncatedAnswerFails(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Errorf("the test server cannot hijack connections")
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			t.Errorf("hijacking: %v", err)
			return
		}
		defer conn.Close()
		body := `{"items":[{"name":"a","mapped_conversion_type":"LEAD"},`
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\n\r\n%s", len(body)+200, body)
		_ = buf.Flush()
	})
	events, err := newTestClient(t, api, noRetry).List(context.Background(), testAdAccount)
	if err == nil {
		t.Fatalf("List succeeded on a truncated answer with %#v", events)
	}
	if !errors.Is(err, ErrServer) {
		t.Errorf("error %v does not match ErrServer", err)
	}
}

func TestClient_sendsRequestAsDocumented(t *testing.T) {
	events := []Event{{"a", MappingLead}, {"b", MappingSearch}, {"c", MappingWatchVideo}}
	tests := []struct {
		name      string
		call      func(*Client) error
		method    string
		query     string
		wantItems []Event
	}{
		{
			name: "list",
			call: func(c *Client) error {
				_, err := c.List(context.Background(), testAdAccount)
				return err
			},
			method: http.MethodGet,
		},
		{
			name: "create",
			call: func(c *Client) error {
				_, err := c.Create(context.Background(), testAdAccount, events)
				return err
			},
			method:    http.MethodPost,
			wantItems: events,
		},
		{
			name: "update mappings",
			call: func(c *Client) error {
				_, err := c.UpdateMappings(context.Background(), testAdAccount, events)
				return err
			},
			method:    http.MethodPatch,
			wantItems: events,
		},
		{
			name: "untrack",
			call: func(c *Client) error {
				_, err := c.Untrack(context.Background(), testAdAccount, []string{"a", "b", "c"})
				return err
			},
			method: http.MethodDelete,
			query:  "event_names=a,b,c",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.Method == http.MethodGet {
					answerJSON(w, http.StatusOK, `{"items":[]}`)
					return
				}
				answerJSON(w, http.StatusOK, `{"items":[{"name":"a","status":"success"},`+
					`{"name":"b","status":"success"},{"name":"c","status":"success"}]}`)
			})
			if err := tt.call(newTestClient(t, api)); err != nil {
				t.Fatalf("call: %v", err)
			}

			seen := api.requests()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}
			r := seen[0]
			if r.Method != tt.method {
				t.Errorf("method %s, want %s", r.Method, tt.method)
			}
			if r.Path != eventsPath {
				t.Errorf("path %q, want %q", r.Path, eventsPath)
			}
			if r.RawQuery != tt.query {
				t.Errorf("query %q, want %q", r.RawQuery, tt.query)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization %q, want the bearer token", got)
			}
			if got := r.Header.Get("User-Agent"); got != "terraform-provider-pinterest/test" {
				t.Errorf("User-Agent %q", got)
			}
			wantType := ""
			if tt.wantItems != nil {
				wantType = "application/json"
			}
			if got := r.Header.Get("Content-Type"); got != wantType {
				t.Errorf("Content-Type %q, want %q", got, wantType)
			}

			if tt.wantItems == nil {
				if len(r.Body) != 0 {
					t.Errorf("%s sent a body: %s", r.Method, r.Body)
				}
				return
			}
			var sent struct {
				Items []struct {
					Name string `json:"name"`
					Type string `json:"mapped_conversion_type"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.Body, &sent); err != nil {
				t.Fatalf("body %s is not JSON: %v", r.Body, err)
			}
			if len(sent.Items) != len(tt.wantItems) {
				t.Fatalf("body has %d items, want %d: %s", len(sent.Items), len(tt.wantItems), r.Body)
			}
			for i, e := range tt.wantItems {
				if sent.Items[i].Name != e.Name || sent.Items[i].Type != string(e.MappingType) {
					t.Errorf("item %d is %+v, want %+v", i, sent.Items[i], e)
				}
			}
		})
	}
}

func TestClient_emptyBatchSendsNothing(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answerJSON(w, http.StatusOK, `{"items":[]}`)
	})
	c := newTestClient(t, api)
	ctx := context.Background()

	if r, err := c.Create(ctx, testAdAccount, nil); err != nil || len(r) != 0 {
		t.Errorf("Create(nil) = %v, %v", r, err)
	}
	if r, err := c.UpdateMappings(ctx, testAdAccount, []Event{}); err != nil || len(r) != 0 {
		t.Errorf("UpdateMappings(empty) = %v, %v", r, err)
	}
	if r, err := c.Untrack(ctx, testAdAccount, nil); err != nil || len(r) != 0 {
		t.Errorf("Untrack(nil) = %v, %v", r, err)
	}
	if n := api.count(); n != 0 {
		t.Errorf("server saw %d requests for empty batches", n)
	}
}

// writeCall is one of the three batch calls, made with names and mapping LEAD.
type writeCall struct {
	name string
	call func(c *Client, names ...string) ([]ItemResult, error)
}

// writeCalls returns create, update and untrack in a form that table tests can share.
func writeCalls() []writeCall {
	asEvents := func(names []string) []Event {
		events := make([]Event, len(names))
		for i, n := range names {
			events[i] = Event{Name: n, MappingType: MappingLead}
		}
		return events
	}
	return []writeCall{
		{"create", func(c *Client, names ...string) ([]ItemResult, error) {
			return c.Create(context.Background(), testAdAccount, asEvents(names))
		}},
		{"update", func(c *Client, names ...string) ([]ItemResult, error) {
			return c.UpdateMappings(context.Background(), testAdAccount, asEvents(names))
		}},
		{"untrack", func(c *Client, names ...string) ([]ItemResult, error) {
			return c.Untrack(context.Background(), testAdAccount, names)
		}},
	}
}

func TestWrite_allSucceed(t *testing.T) {
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, `{"items":[{"name":"first","status":"success"},`+
					`{"name":"second","status":"SUCCESS"}]}`)
			})
			results, err := wc.call(newTestClient(t, api), "first", "second")
			if err != nil {
				t.Fatalf("%s: %v", wc.name, err)
			}
			requireResults(t, results, "first", "second")
			for _, r := range results {
				if r.Err != nil {
					t.Errorf("%s failed: %v", r.Name, r.Err)
				}
			}
		})
	}
}

func TestWrite_mixedItemResults(t *testing.T) {
	answer := `{"items":[
		{"name":"ok","status":"success"},
		{"name":"dup","status":"failure","exceptions":["duplicate_event_name"]},
		{"name":"odd","status":"failure","exceptions":["flux_capacitor_offline"]}]}`
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, answer, "x-pinterest-rid", "rid-mixed")
			})
			results, err := wc.call(newTestClient(t, api), "ok", "dup", "odd")
			if err != nil {
				t.Fatalf("%s: %v", wc.name, err)
			}
			requireResults(t, results, "ok", "dup", "odd")

			if results[0].Err != nil {
				t.Errorf("ok failed: %v", results[0].Err)
			}

			var dup *ItemError
			if !errors.As(results[1].Err, &dup) {
				t.Fatalf("dup error %v (%T) is not an *ItemError", results[1].Err, results[1].Err)
			}
			if dup.Name != "dup" || dup.Operation != wc.name || dup.AdAccountID != testAdAccount ||
				dup.RequestID != "rid-mixed" {
				t.Errorf("dup ItemError = %+v", dup)
			}
			if !reflect.DeepEqual(dup.Exceptions, []string{"duplicate_event_name"}) {
				t.Errorf("dup exceptions %q", dup.Exceptions)
			}
			if !errors.Is(results[1].Err, ErrDuplicateName) {
				t.Errorf("dup error %v does not match ErrDuplicateName", results[1].Err)
			}

			odd := results[2].Err
			if odd == nil {
				t.Fatal("an unknown exception was taken for success")
			}
			if !strings.Contains(odd.Error(), "flux_capacitor_offline") {
				t.Errorf("error %q does not quote the exception", odd)
			}
			if s := matchedSentinels(odd); len(s) != 0 {
				t.Errorf("unknown exception matches %v", s)
			}
		})
	}
}

func TestWrite_answerMatchedByNameIgnoringCaseAndOrder(t *testing.T) {
	answer := `{"items":[
		{"name":"GAMMA","status":"success"},
		{"name":"alpha","status":"failure","exceptions":["event_not_found"]},
		{"name":"Beta","status":"success"}]}`
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, answer)
			})
			results, err := wc.call(newTestClient(t, api), "Alpha", "beta", "gamma")
			if err != nil {
				t.Fatalf("%s: %v", wc.name, err)
			}
			requireResults(t, results, "Alpha", "beta", "gamma")
			if !errors.Is(results[0].Err, ErrEventNotFound) {
				t.Errorf("Alpha: %v, want ErrEventNotFound", results[0].Err)
			}
			if results[1].Err != nil || results[2].Err != nil {
				t.Errorf("beta: %v, gamma: %v; want both to succeed", results[1].Err, results[2].Err)
			}
		})
	}
}

func TestWrite_itemsWithoutNamesMatchedByPosition(t *testing.T) {
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, `{"items":[{"status":"success"},`+
					`{"status":"failure","exceptions":["duplicate_event_name"]}]}`)
			})
			results, err := wc.call(newTestClient(t, api), "one", "two")
			if err != nil {
				t.Fatalf("%s: %v", wc.name, err)
			}
			requireResults(t, results, "one", "two")
			if results[0].Err != nil {
				t.Errorf("one: %v", results[0].Err)
			}
			if !errors.Is(results[1].Err, ErrDuplicateName) {
				t.Errorf("two: %v, want ErrDuplicateName", results[1].Err)
			}
		})
	}
}

func TestWrite_itemMissingFromAnswerFailsAlone(t *testing.T) {
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, `{"items":[{"name":"here","status":"success"},`+
					`{"name":"stranger","status":"success"}]}`)
			})
			results, err := wc.call(newTestClient(t, api), "here", "gone")
			if err != nil {
				t.Fatalf("%s: %v", wc.name, err)
			}
			requireResults(t, results, "here", "gone")
			if results[0].Err != nil {
				t.Errorf("here: %v", results[0].Err)
			}
			var ie *ItemError
			if !errors.As(results[1].Err, &ie) || ie.Name != "gone" {
				t.Errorf("gone: %v, want an *ItemError for gone", results[1].Err)
			}
		})
	}
}

func TestWrite_itemWithoutSuccessStatusFails(t *testing.T) {
	tests := []struct {
		name string
		item string
	}{
		{name: "no status", item: `{"name":"a"}`},
		{name: "empty status", item: `{"name":"a","status":""}`},
		{name: "failure without exceptions", item: `{"name":"a","status":"failure"}`},
		{name: "unknown status", item: `{"name":"a","status":"pending"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, `{"items":[`+tt.item+`]}`)
			})
			results, err := newTestClient(t, api).UpdateMappings(context.Background(),
				testAdAccount, []Event{{"a", MappingLead}})
			if err != nil {
				t.Fatalf("UpdateMappings: %v", err)
			}
			requireResults(t, results, "a")
			if results[0].Err == nil {
				t.Error("an item that did not report success was taken for success")
			}
		})
	}
}

func TestWrite_exceptionsInOtherShapesStillDecode(t *testing.T) {
	tests := []struct {
		name       string
		exceptions string
		wantText   string
		wantClass  error
	}{
		{
			name:       "list of strings",
			exceptions: `["duplicate_event_name"]`,
			wantText:   "duplicate_event_name",
			wantClass:  ErrDuplicateName,
		},
		{
			name:       "single string",
			exceptions: `"duplicate_event_name"`,
			wantText:   "duplicate_event_name",
			wantClass:  ErrDuplicateName,
		},
		{
			name:       "list of objects",
			exceptions: `[{"code":"event_not_found","message":"no such event"}]`,
			wantText:   "event_not_found",
			wantClass:  ErrEventNotFound,
		},
		{
			name:       "one object",
			exceptions: `{"code":"cloned_account"}`,
			wantText:   "cloned_account",
			wantClass:  ErrClonedAccount,
		},
		{
			name:       "mixed list",
			exceptions: `[42,"custom_event_limit_reached"]`,
			wantText:   "custom_event_limit_reached",
			wantClass:  ErrEventLimit,
		},
		{
			name:       "number",
			exceptions: `1234`,
			wantText:   "1234",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK,
					`{"items":[{"name":"a","status":"failure","exceptions":`+tt.exceptions+`}]}`)
			})
			results, err := newTestClient(t, api).Untrack(context.Background(), testAdAccount,
				[]string{"a"})
			if err != nil {
				t.Fatalf("Untrack: %v", err)
			}
			requireResults(t, results, "a")
			var ie *ItemError
			if !errors.As(results[0].Err, &ie) {
				t.Fatalf("error %v (%T) is not an *ItemError", results[0].Err, results[0].Err)
			}
			if !strings.Contains(strings.Join(ie.Exceptions, " "), tt.wantText) {
				t.Errorf("exceptions %q do not contain %q", ie.Exceptions, tt.wantText)
			}
			if tt.wantClass != nil && !errors.Is(ie, tt.wantClass) {
				t.Errorf("error %v does not match %v", ie, tt.wantClass)
			}
		})
	}
}

func TestWrite_unreadableAnswerIsServerError(t *testing.T) {
	for _, wc := range writeCalls() {
		t.Run(wc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, http.StatusOK, `{"items":[{"name":"a","status":`)
			})
			results, err := wc.call(newTestClient(t, api, noRetry), "a")
			if err == nil {
				t.Fatalf("%s succeeded with %+v", wc.name, results)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) {
				t.Errorf("error %v (%T), want an *APIError matching ErrServer", err, err)
			}
		})
	}
}

func TestUntrack_escapesNamesButNotTheCommas(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answerJSON(w, http.StatusOK, `{"items":[]}`)
	})
	_, err := newTestClient(t, api).Untrack(context.Background(), testAdAccount,
		[]string{"plain_name", "with space", "a&b=c", "x,y"})
	if err != nil {
		t.Fatalf("Untrack: %v", err)
	}
	want := "event_names=plain_name,with+space,a%26b%3Dc,x%2Cy"
	if got := api.requests()[0].RawQuery; got != want {
		t.Errorf("query %q, want %q", got, want)
	}
}

// TestClient_answerOfAFailedAttemptDoesNotLeak checks that an answer that half decoded
// before failing leaves nothing behind for the attempt that follows.
func TestClient_answerOfAFailedAttemptDoesNotLeak(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				answerJSON(w, http.StatusOK, `{"items":[{"name":"ghost","mapped_conversion_type":"LEAD"},`+
					`{"name":7}]}`)
				return
			}
			answerJSON(w, http.StatusOK, `{}`)
		})
		events, err := newTestClient(t, api).List(context.Background(), testAdAccount)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if len(events) != 0 {
			t.Errorf("List = %+v, want no events", events)
		}
	})
	t.Run("update", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				answerJSON(w, http.StatusOK, `{"items":[{"name":"a","status":"success"},{"name":7}]}`)
				return
			}
			answerJSON(w, http.StatusOK, `{"items":[{"name":"a"}]}`)
		})
		results, err := newTestClient(t, api).UpdateMappings(context.Background(), testAdAccount,
			[]Event{{"a", MappingLead}})
		if err != nil {
			t.Fatalf("UpdateMappings: %v", err)
		}
		requireResults(t, results, "a")
		if results[0].Err == nil {
			t.Error("the second answer gave no status, yet the update was taken for success")
		}
	})
}

func TestClient_tokenFailureIsAuthenticationAndNotRetried(t *testing.T) {
	var calls int
	var mu sync.Mutex
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answerJSON(w, http.StatusOK, `{"items":[]}`)
	})
	c := newTestClient(t, api, func(cfg *Config) {
		cfg.TokenSource = tokenFunc(func() (*oauth2.Token, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			return nil, errors.New("refresh token expired")
		})
	})
	_, err := c.List(context.Background(), testAdAccount)
	if !errors.Is(err, ErrAuthentication) {
		t.Fatalf("error %v does not match ErrAuthentication", err)
	}
	if !strings.Contains(err.Error(), "refresh token expired") {
		t.Errorf("error %q hides the token source's reason", err)
	}
	if n := api.count(); n != 0 {
		t.Errorf("server saw %d requests without a token", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("token source asked %d times, want 1", calls)
	}
}
