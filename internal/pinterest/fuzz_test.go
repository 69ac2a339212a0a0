package pinterest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

// cannedServer answers every request with the status and body last set. One server
// serves all the inputs of a fuzz target, which keeps each input cheap.
type cannedServer struct {
	*httptest.Server

	mu     sync.Mutex
	status int
	body   []byte
}

// newCannedServer starts a cannedServer and a client of it that never retries, so that
// a 5xx or 429 input costs one request.
func newCannedServer(f *testing.F) (*cannedServer, *Client) {
	f.Helper()
	s := &cannedServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		status, body := s.status, s.body
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(s.Close)
	c, err := NewClient(Config{
		BaseURL:     s.URL + "/v5",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}),
		Retry:       RetryPolicy{MaxRetries: -1},
	})
	if err != nil {
		f.Fatalf("NewClient: %v", err)
	}
	return s, c
}

// answer sets what the server answers from now on.
func (s *cannedServer) answer(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// requireUnreadableAnswer fails unless err is the *APIError of a 200 that could not be read.
func requireUnreadableAnswer(t *testing.T, err error) {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) {
		t.Fatalf("error %v (%T) is not an *APIError matching ErrServer", err, err)
	}
	if apiErr.StatusCode != http.StatusOK {
		t.Fatalf("APIError has status %d, want 200", apiErr.StatusCode)
	}
}

func FuzzDecodeListAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"items":[{"name":"a","mapped_conversion_type":"LEAD"}]}`,
		`{"items":[{"name":"a","mapped_conversion_type":null},{"name":"","mapped_conversion_type":"X"}]}`,
		`{"items":[{"name":"a","mapped_conversion_type":{"x":1}}]}`,
		`{"items":null}`,
		`{"items":[null]}`,
		`null`,
		`[]`,
		`{"items":[{"name":5}]}`,
		`{"ITEMS":[{"NAME":"a","Mapped_Conversion_Type":"CUSTOM"}]}`,
	} {
		f.Add([]byte(seed))
	}
	srv, c := newCannedServer(f)

	f.Fuzz(func(t *testing.T, body []byte) {
		srv.answer(http.StatusOK, body)
		events, err := c.List(context.Background(), testAdAccount)

		// An independent reading of the same body: the type may be anything at all.
		var ref struct {
			Items []struct {
				Name string          `json:"name"`
				Type json.RawMessage `json:"mapped_conversion_type"`
			} `json:"items"`
		}
		refErr := json.Unmarshal(body, &ref)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("List error %v, but the reference decode says %v", err, refErr)
		}
		if err != nil {
			requireUnreadableAnswer(t, err)
			return
		}

		var want []Event
		for _, it := range ref.Items {
			if it.Name == "" {
				continue
			}
			var mt string
			if json.Unmarshal(it.Type, &mt) != nil {
				mt = ""
			}
			want = append(want, Event{Name: it.Name, MappingType: MappingType(mt)})
		}
		if len(events) != len(want) {
			t.Fatalf("List = %+v, want %+v", events, want)
		}
		for i := range want {
			if events[i] != want[i] {
				t.Fatalf("event %d = %+v, want %+v", i, events[i], want[i])
			}
		}
	})
}

func FuzzDecodeWriteAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"items":[{"name":"alpha","status":"success"},{"name":"beta","status":"success"},` +
			`{"name":"gamma-1","status":"success"}]}`,
		`{"items":[{"name":"ALPHA","status":"failure","exceptions":["duplicate_event_name"]}]}`,
		`{"items":[{"status":"success"},{"status":"success"},{"status":"success"},{"status":"success"}]}`,
		`{"items":[{"name":"beta","status":"failure","exceptions":"limit"}]}`,
		`{"items":[{"name":"beta","status":"failure","exceptions":[{"code":1},null,7]}]}`,
		`{"items":[{"name":"gamma-1","status":"success"},{"name":"gamma-1","status":"success"}]}`,
		`{"items":[]}`,
		`{}`,
		`{"items":[{"name":"alpha","status":1}]}`,
	} {
		f.Add([]byte(seed))
	}
	srv, c := newCannedServer(f)
	events := []Event{{"alpha", MappingLead}, {"Beta", MappingSearch}, {"gamma-1", MappingContact}}

	f.Fuzz(func(t *testing.T, body []byte) {
		srv.answer(http.StatusOK, body)
		results, err := c.Create(context.Background(), testAdAccount, events)
		if err != nil {
			requireUnreadableAnswer(t, err)
			return
		}
		if !json.Valid(body) {
			t.Fatalf("Create accepted an answer that is not JSON: %q", body)
		}
		if len(results) != len(events) {
			t.Fatalf("%d results for %d events", len(results), len(events))
		}
		succeeded := 0
		for i, r := range results {
			if r.Name != events[i].Name {
				t.Fatalf("result %d is for %q, want %q", i, r.Name, events[i].Name)
			}
			if r.Err == nil {
				succeeded++
				continue
			}
			var ie *ItemError
			if !errors.As(r.Err, &ie) || ie.Name != events[i].Name || ie.Operation != "create" {
				t.Fatalf("result %d error %v (%T) is not the event's *ItemError", i, r.Err, r.Err)
			}
			if len(matchedSentinels(r.Err)) > 1 {
				t.Fatalf("error %v matches %v", r.Err, matchedSentinels(r.Err))
			}
		}

		// Each item of the answer vouches for one event at most.
		var ref struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("Create read an answer whose statuses do not decode: %v", err)
		}
		reported := 0
		for _, it := range ref.Items {
			if strings.EqualFold(it.Status, "success") {
				reported++
			}
		}
		if succeeded > reported {
			t.Fatalf("%d events succeeded on %d successes reported", succeeded, reported)
		}
	})
}

func FuzzDecodeErrorAnswer(f *testing.F) {
	f.Add(400, []byte(`{"code":1,"message":"Invalid parameters."}`))
	f.Add(401, []byte(`{"code":2,"message":"Authentication failed."}`))
	f.Add(403, []byte(`{"code":29,"message":"cloned ad account"}`))
	f.Add(429, []byte(`{"code":8,"message":"spam"}`))
	f.Add(503, []byte(`{"code":4197,"message":"Service is not accepting traffic."}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(418, []byte(`{"code":"8","message":["x"]}`))
	f.Add(599, []byte(``))
	srv, c := newCannedServer(f)

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 400 + (status%200+200)%200
		srv.answer(status, body)
		_, err := c.List(context.Background(), testAdAccount)

		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("status %d: error %v (%T) is not an *APIError", status, err, err)
		}
		if apiErr.StatusCode != status {
			t.Fatalf("APIError status %d, want %d", apiErr.StatusCode, status)
		}
		classes := matchedSentinels(err)
		if len(classes) != 1 || apiErr.Class() != classes[0] {
			t.Fatalf("status %d: error %v matches %v, Class() %v", status, err, classes, apiErr.Class())
		}
		var want error
		switch {
		case status == http.StatusTooManyRequests:
			want = ErrRateLimited
			if strings.Contains(strings.ToLower(apiErr.Message), "spam") {
				want = ErrSpam
			}
		case status == http.StatusUnauthorized || apiErr.Code == 2:
			want = ErrAuthentication
		case status == http.StatusNotFound:
			want = ErrNotFound
		case status >= 500:
			want = ErrServer
		}
		if want != nil && classes[0] != want {
			t.Fatalf("status %d: class %v, want %v", status, classes[0], want)
		}
		if text := err.Error(); !strings.Contains(text, fmt.Sprintf("HTTP %d", status)) {
			t.Fatalf("Error() = %q does not give the status", text)
		}
	})
}

// namePattern is the documented rule for custom event names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

func FuzzValidateName(f *testing.F) {
	for _, seed := range []string{
		"Checkout_Step", "a", "", strings.Repeat("z", 100), strings.Repeat("z", 101),
		"add to cart", "café", "buy🛒", "a\x00b", "\xff", "a\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateName(name)
		if ok := namePattern.MatchString(name); ok != (err == nil) {
			t.Fatalf("ValidateName(%q) = %v, but the documented rule says valid=%v", name, err, ok)
		}
		if err == nil && !SameName(name, strings.ToUpper(name)) {
			t.Fatalf("%q and its upper case are not the same name", name)
		}
	})
}

// adAccountIDPattern is the documented rule for ad account ids.
var adAccountIDPattern = regexp.MustCompile(`^[0-9]{1,18}$`)

func FuzzValidateAdAccountID(f *testing.F) {
	for _, seed := range []string{
		"549755885175", "1", "", strings.Repeat("9", 18), strings.Repeat("9", 19), "-1", " 1",
		"１", "1\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateAdAccountID(id)
		if ok := adAccountIDPattern.MatchString(id); ok != (err == nil) {
			t.Fatalf("ValidateAdAccountID(%q) = %v, but the documented rule says valid=%v", id, err, ok)
		}
	})
}
