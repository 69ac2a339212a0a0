package pinterest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetry_transientFailureThenSuccess(t *testing.T) {
	tests := []struct {
		name  string
		first func(t *testing.T, w http.ResponseWriter)
	}{
		{name: "429 rate limited", first: func(_ *testing.T, w http.ResponseWriter) {
			answerJSON(w, http.StatusTooManyRequests, `{"code":8,"message":"Rate limit exceeded."}`)
		}},
		{name: "500", first: func(_ *testing.T, w http.ResponseWriter) {
			answerJSON(w, http.StatusInternalServerError, `{"code":0,"message":"oops"}`)
		}},
		{name: "502 without body", first: func(_ *testing.T, w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
		}},
		{name: "503 code 4197", first: func(_ *testing.T, w http.ResponseWriter) {
			answerJSON(w, http.StatusServiceUnavailable, `{"code":4197,"message":"not accepting traffic"}`)
		}},
		{name: "504", first: func(_ *testing.T, w http.ResponseWriter) {
			w.WriteHeader(http.StatusGatewayTimeout)
		}},
		{name: "200 that is not JSON", first: func(_ *testing.T, w http.ResponseWriter) {
			answerJSON(w, http.StatusOK, `<html>`)
		}},
		{name: "dropped connection", first: dropConnection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					tt.first(t, w)
					return
				}
				answerJSON(w, http.StatusOK, `{"items":[{"name":"a","status":"success"}]}`)
			})
			results, err := newTestClient(t, api).UpdateMappings(context.Background(),
				testAdAccount, []Event{{"a", MappingLead}})
			if err != nil {
				t.Fatalf("UpdateMappings: %v", err)
			}
			requireResults(t, results, "a")
			if results[0].Err != nil {
				t.Errorf("a: %v", results[0].Err)
			}
			if n := api.count(); n != 2 {
				t.Errorf("server saw %d requests, want 2", n)
			}
		})
	}
}

func TestRetry_listRetriedAfterRateLimit(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answerJSON(w, http.StatusTooManyRequests, `{"code":8,"message":"Rate limit exceeded."}`)
			return
		}
		answerJSON(w, http.StatusOK, `{"items":[{"name":"a","mapped_conversion_type":"LEAD"}]}`)
	})
	events, err := newTestClient(t, api).List(context.Background(), testAdAccount)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(events) != 1 || events[0].Name != "a" {
		t.Errorf("List = %+v", events)
	}
	if n := api.count(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

func TestRetry_failuresThatWouldRepeatAreNotRetried(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantClass error
	}{
		{"400", http.StatusBadRequest, `{"code":1,"message":"Invalid parameters."}`, ErrInvalidInput},
		{"401", http.StatusUnauthorized, `{"code":2,"message":"Authentication failed."}`, ErrAuthentication},
		{"403", http.StatusForbidden, `{"code":3,"message":"Missing scope ads:write."}`, ErrPermission},
		{"404", http.StatusNotFound, `{"code":404,"message":"Not found."}`, ErrNotFound},
		{"429 spam", http.StatusTooManyRequests, `{"code":8,"message":"Blocked as spam."}`, ErrSpam},
		{"200 with a failed item", http.StatusOK,
			`{"items":[{"name":"a","status":"failure","exceptions":["event_not_found"]}]}`,
			ErrEventNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				answerJSON(w, tt.status, tt.body, "Retry-After", "0")
			})
			results, err := newTestClient(t, api, withRetry(fastRetry(5))).UpdateMappings(
				context.Background(), testAdAccount, []Event{{"a", MappingLead}})
			if err == nil && len(results) == 1 {
				err = results[0].Err
			}
			if !errors.Is(err, tt.wantClass) {
				t.Errorf("error %v does not match %v", err, tt.wantClass)
			}
			if err != nil && strings.Contains(err.Error(), "giving up") {
				t.Errorf("error %q speaks of giving up on a failure that is not retried", err)
			}
			if n := api.count(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestRetry_givesUpAfterMaxRetries(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		wantClass error
	}{
		{"server errors", http.StatusServiceUnavailable, ErrServer},
		{"rate limits", http.StatusTooManyRequests, ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				answerJSON(w, tt.status, fmt.Sprintf(`{"code":8,"message":"attempt %d"}`, n),
					"x-pinterest-rid", fmt.Sprintf("rid-%d", n))
			})
			_, err := newTestClient(t, api, withRetry(fastRetry(2))).List(context.Background(),
				testAdAccount)
			if err == nil {
				t.Fatal("List succeeded against a failing server")
			}
			if n := api.count(); n != 3 {
				t.Errorf("server saw %d requests, want 3", n)
			}
			if !strings.Contains(err.Error(), "giving up") {
				t.Errorf("error %q does not say it gave up", err)
			}
			if !errors.Is(err, tt.wantClass) {
				t.Errorf("error %v does not match %v", err, tt.wantClass)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.RequestID != "rid-3" {
				t.Errorf("error %v does not carry the last attempt's *APIError", err)
			}
		})
	}
}

func TestRetry_negativeMaxRetriesMeansOneAttempt(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := newTestClient(t, api, withRetry(RetryPolicy{MaxRetries: -1, MinWait: time.Millisecond})).
		List(context.Background(), testAdAccount)
	if !errors.Is(err, ErrServer) {
		t.Errorf("error %v does not match ErrServer", err)
	}
	if n := api.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRetry_honoursRetryAfter(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answerJSON(w, http.StatusTooManyRequests, `{"code":8,"message":"Rate limit exceeded."}`,
				"Retry-After", "1")
			return
		}
		answerJSON(w, http.StatusOK, `{"items":[]}`)
	})
	start := time.Now()
	_, err := newTestClient(t, api).List(context.Background(), testAdAccount)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	// The policy's MaxWait is 5ms: only the header can explain a wait of a second.
	if elapsed < 900*time.Millisecond {
		t.Errorf("List returned after %v, before the 1s Retry-After", elapsed)
	}
	if n := api.count(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

func TestRetry_cancelDuringWaitReturnsPromptly(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answerJSON(w, http.StatusTooManyRequests, `{"code":8,"message":"Rate limit exceeded."}`,
			"Retry-After", "30")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)

	start := time.Now()
	_, err := newTestClient(t, api).List(ctx, testAdAccount)
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not match context.Canceled", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("List took %v to notice the cancellation", elapsed)
	}
	if n := api.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRetry_deadlineBeforeNextAttemptGivesUpAtOnce(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answerJSON(w, http.StatusTooManyRequests, `{"code":8,"message":"Rate limit exceeded."}`,
			"Retry-After", "30")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	start := time.Now()
	_, err := newTestClient(t, api).List(ctx, testAdAccount)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrRateLimited) {
		t.Errorf("error %v does not match ErrRateLimited", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v waited for the deadline", err)
	}
	if err != nil && !strings.Contains(err.Error(), "giving up") {
		t.Errorf("error %q does not say it gave up", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("List took %v; it should give up without waiting", elapsed)
	}
	if n := api.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRetry_hungAttemptTimesOutAndIsRetried(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				t.Error("the client never gave up on the hung attempt")
			}
			return
		}
		answerJSON(w, http.StatusOK, `{"items":[{"name":"a","mapped_conversion_type":"LEAD"}]}`)
	})
	c := newTestClient(t, api, func(cfg *Config) { cfg.AttemptTimeout = 100 * time.Millisecond })
	events, err := c.List(context.Background(), testAdAccount)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(events) != 1 {
		t.Errorf("List = %+v", events)
	}
	if n := api.count(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

func TestRetry_onRequestSeesEveryAttempt(t *testing.T) {
	statuses := []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusOK}
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		body := `{"code":8,"message":"try later"}`
		if statuses[n-1] == http.StatusOK {
			body = `{"items":[{"name":"a","status":"success"},{"name":"b","status":"success"}]}`
		}
		answerJSON(w, statuses[n-1], body, "x-pinterest-rid", fmt.Sprintf("rid-%d", n))
	})
	var mu sync.Mutex
	var infos []RequestInfo
	c := newTestClient(t, api, func(cfg *Config) {
		cfg.OnRequest = func(_ context.Context, info RequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			infos = append(infos, info)
		}
	})
	_, err := c.Create(context.Background(), testAdAccount, []Event{{"a", MappingLead}, {"b", MappingLead}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(infos) != len(statuses) {
		t.Fatalf("OnRequest called %d times, want %d", len(infos), len(statuses))
	}
	for i, info := range infos {
		last := i == len(infos)-1
		if info.Attempt != i+1 || info.Status != statuses[i] ||
			info.RequestID != fmt.Sprintf("rid-%d", i+1) {
			t.Errorf("attempt %d: %+v", i+1, info)
		}
		if info.Method != http.MethodPost || info.AdAccountID != testAdAccount || info.Items != 2 ||
			!strings.HasSuffix(info.Path, "/advertiser_defined_events") {
			t.Errorf("attempt %d describes the wrong call: %+v", i+1, info)
		}
		if last != (info.Err == nil) {
			t.Errorf("attempt %d: Err = %v", i+1, info.Err)
		}
		if last && info.RetryIn != 0 || !last && info.RetryIn <= 0 {
			t.Errorf("attempt %d: RetryIn = %v", i+1, info.RetryIn)
		}
		if info.Duration <= 0 {
			t.Errorf("attempt %d: Duration = %v", i+1, info.Duration)
		}
		if text := fmt.Sprintf("%+v", info); strings.Contains(text, testToken) {
			t.Errorf("attempt %d leaks the token: %s", i+1, text)
		}
	}
}

func TestRetry_onRequestNeverSeesTheToken(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			dropConnection(t, w)
			return
		}
		answerJSON(w, http.StatusUnauthorized, `{"code":2,"message":"Authentication failed."}`)
	})
	var mu sync.Mutex
	var seen []string
	c := newTestClient(t, api, func(cfg *Config) {
		cfg.OnRequest = func(_ context.Context, info RequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%+v %#v", info, info))
		}
	})
	_, err := c.Untrack(context.Background(), testAdAccount, []string{"a"})
	if err == nil {
		t.Fatal("Untrack succeeded")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error leaks the token: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Errorf("OnRequest called %d times, want 2", len(seen))
	}
	for _, s := range seen {
		if strings.Contains(s, testToken) {
			t.Errorf("RequestInfo leaks the token: %s", s)
		}
	}
}

func TestClient_maxConcurrentRequests(t *testing.T) {
	var inFlight, most atomic.Int32
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		answerJSON(w, http.StatusOK, `{"items":[]}`)
	})
	c := newTestClient(t, api, func(cfg *Config) { cfg.MaxConcurrentRequests = 2 })

	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, err := c.List(context.Background(), testAdAccount)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("List: %v", err)
		}
	}
	if n := api.count(); n != 10 {
		t.Errorf("server saw %d requests, want 10", n)
	}
	if m := most.Load(); m > 2 {
		t.Errorf("server saw %d requests at once, want at most 2", m)
	}
}

// eventStore is a fake ad account for the lost-answer tests: it applies creates, can drop
// the connection after applying one, and answers duplicates the way Pinterest's example does.
type eventStore struct {
	mu     sync.Mutex
	events map[string]Event // by NameKey
}

func (s *eventStore) handle(t *testing.T, w http.ResponseWriter, r *http.Request, body []byte, drop bool) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		var items []string
		for _, e := range s.events {
			items = append(items, fmt.Sprintf(`{"name":%q,"mapped_conversion_type":%q}`,
				e.Name, e.MappingType))
		}
		answerJSON(w, http.StatusOK, `{"items":[`+strings.Join(items, ",")+`]}`)
	case http.MethodPost:
		var req struct {
			Items []Event `json:"items"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("create body %s: %v", body, err)
		}
		var items []string
		for _, e := range req.Items {
			if _, ok := s.events[NameKey(e.Name)]; ok {
				items = append(items, fmt.Sprintf(
					`{"name":%q,"status":"failure","exceptions":["duplicate_event_name"]}`, e.Name))
				continue
			}
			s.events[NameKey(e.Name)] = e
			items = append(items, fmt.Sprintf(`{"name":%q,"status":"success"}`, e.Name))
		}
		if drop {
			dropConnection(t, w)
			return
		}
		answerJSON(w, http.StatusOK, `{"items":[`+strings.Join(items, ",")+`]}`)
	default:
		t.Errorf("unexpected %s", r.Method)
	}
}

func TestCreate_lostAnswerThenDuplicate(t *testing.T) {
	tests := []struct {
		name       string
		existing   []Event
		dropFirst  bool
		want       map[string]error
		wantGets   int
		wantCreate int
	}{
		{
			name:       "lost answer, event exists as requested",
			dropFirst:  true,
			want:       map[string]error{"Signup_Done": nil, "cart_add": nil},
			wantGets:   1,
			wantCreate: 2,
		},
		{
			name:       "lost answer, one event made elsewhere with another mapping",
			existing:   []Event{{"CART_ADD", MappingSearch}},
			dropFirst:  true,
			want:       map[string]error{"Signup_Done": nil, "cart_add": ErrDuplicateName},
			wantGets:   1,
			wantCreate: 2,
		},
		{
			name:       "plain duplicate is never looked up",
			existing:   []Event{{"cart_add", MappingAddToCart}},
			want:       map[string]error{"Signup_Done": nil, "cart_add": ErrDuplicateName},
			wantGets:   0,
			wantCreate: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &eventStore{events: map[string]Event{}}
			for _, e := range tt.existing {
				store.events[NameKey(e.Name)] = e
			}
			var posts atomic.Int32
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				body := readBody(t, r)
				drop := false
				if r.Method == http.MethodPost {
					drop = posts.Add(1) == 1 && tt.dropFirst
				}
				store.handle(t, w, r, body, drop)
			})
			results, err := newTestClient(t, api).Create(context.Background(), testAdAccount,
				[]Event{{"Signup_Done", MappingSignup}, {"cart_add", MappingAddToCart}})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			requireResults(t, results, "Signup_Done", "cart_add")
			for _, r := range results {
				want := tt.want[r.Name]
				if want == nil && r.Err != nil || want != nil && !errors.Is(r.Err, want) {
					t.Errorf("%s: %v, want %v", r.Name, r.Err, want)
				}
			}
			if n := api.countMethod(http.MethodGet); n != tt.wantGets {
				t.Errorf("server saw %d lists, want %d", n, tt.wantGets)
			}
			if n := api.countMethod(http.MethodPost); n != tt.wantCreate {
				t.Errorf("server saw %d creates, want %d", n, tt.wantCreate)
			}
		})
	}
}

func TestCreate_lostAnswerAndFailingListKeepsDuplicate(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case n == 1:
			dropConnection(t, w)
		case r.Method == http.MethodPost:
			answerJSON(w, http.StatusOK,
				`{"items":[{"name":"a","status":"failure","exceptions":["duplicate_event_name"]}]}`)
		default:
			answerJSON(w, http.StatusForbidden, `{"code":3,"message":"Missing scope ads:read."}`)
		}
	})
	results, err := newTestClient(t, api).Create(context.Background(), testAdAccount,
		[]Event{{"a", MappingLead}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireResults(t, results, "a")
	if !errors.Is(results[0].Err, ErrDuplicateName) {
		t.Errorf("a: %v, want ErrDuplicateName", results[0].Err)
	}
}

// readBody returns the request body, which fakeAPI keeps readable for the handler.
func readBody(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading body: %v", err)
	}
	return b
}

func TestRetryPolicy_wait(t *testing.T) {
	p := RetryPolicy{MinWait: 100 * time.Millisecond, MaxWait: time.Second}.withDefaults()
	tests := []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		min, max   time.Duration
	}{
		{"first backoff", 1, 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{"second backoff doubles", 2, 0, 100 * time.Millisecond, 200 * time.Millisecond},
		{"capped by MaxWait", 10, 0, 500 * time.Millisecond, time.Second},
		{"far attempts stay capped", 500, 0, 500 * time.Millisecond, time.Second},
		{"Retry-After beyond MaxWait", 1, 5 * time.Second,
			5 * time.Second, 5*time.Second + 501*time.Millisecond},
		{"Retry-After capped", 1, 24 * time.Hour, maxRetryAfter, maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				if w := p.wait(tt.attempt, tt.retryAfter); w < tt.min || w > tt.max {
					t.Fatalf("wait(%d, %v) = %v, want between %v and %v",
						tt.attempt, tt.retryAfter, w, tt.min, tt.max)
				}
			}
		})
	}
}

func TestRetryPolicy_defaults(t *testing.T) {
	tests := []struct {
		name string
		in   RetryPolicy
		want RetryPolicy
	}{
		{"zero", RetryPolicy{}, RetryPolicy{DefaultMaxRetries, DefaultMinRetryWait, DefaultMaxRetryWait}},
		{"negative retries", RetryPolicy{MaxRetries: -3},
			RetryPolicy{0, DefaultMinRetryWait, DefaultMaxRetryWait}},
		{"max below min", RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: time.Millisecond},
			RetryPolicy{1, time.Second, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.withDefaults(); got != tt.want {
				t.Errorf("withDefaults() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
