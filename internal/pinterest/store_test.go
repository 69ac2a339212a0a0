package pinterest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// storeAPI is a fake Pinterest for the Store's tests. It keeps the custom events of each
// ad account, so that a list answer changes with every write, answers writes event by
// event, and records what it was sent. It fails the test when one request names an event
// twice, or when a write of an event arrives while an earlier write of it is unanswered.
type storeAPI struct {
	tb  testing.TB
	url string

	mu       sync.Mutex
	events   map[string]map[string]Event // ad account, then name key
	requests map[string]int              // by method
	sizes    map[string][]int            // by method: events carried by each request
	writes   []string                    // "METHOD name,name" for each write, as it arrived
	inFlight map[string]bool             // ad account and name key of unanswered writes
	failName map[string]string           // name key: exception reported for that event
	failAll  map[string]int              // method: HTTP status for the whole request
	// before runs ahead of each answer, outside the lock, for latency, gates and
	// watching cancellation.
	before func(r *http.Request, names []string)
}

func newStoreAPI(tb testing.TB) *storeAPI {
	tb.Helper()
	api := &storeAPI{
		tb:       tb,
		events:   make(map[string]map[string]Event),
		requests: make(map[string]int),
		sizes:    make(map[string][]int),
		inFlight: make(map[string]bool),
		failName: make(map[string]string),
		failAll:  make(map[string]int),
	}
	srv := httptest.NewServer(http.HandlerFunc(api.serve))
	tb.Cleanup(srv.Close)
	api.url = srv.URL + "/v5"
	return api
}

func (api *storeAPI) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v5/"), "/")
	if len(parts) != 3 || parts[0] != "ad_accounts" || parts[2] != "advertiser_defined_events" {
		storeAnswer(w, http.StatusNotFound, map[string]any{"code": 404, "message": "no such path"})
		return
	}
	account := parts[1]

	var sent []Event
	switch r.Method {
	case http.MethodPost, http.MethodPatch:
		var body struct {
			Items []Event `json:"items"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			api.tb.Errorf("decoding a %s body: %v", r.Method, err)
		}
		sent = body.Items
	case http.MethodDelete:
		for _, n := range strings.Split(r.URL.Query().Get("event_names"), ",") {
			sent = append(sent, Event{Name: n})
		}
	}
	names := make([]string, len(sent))
	for i, e := range sent {
		names[i] = e.Name
	}

	api.mu.Lock()
	api.requests[r.Method]++
	var listed []Event
	if r.Method == http.MethodGet {
		listed = api.listLocked(account)
	} else {
		api.sizes[r.Method] = append(api.sizes[r.Method], len(names))
		api.writes = append(api.writes, r.Method+" "+strings.Join(names, ","))
		inRequest := make(map[string]bool)
		for _, n := range names {
			k := account + "/" + NameKey(n)
			if inRequest[k] {
				api.tb.Errorf("one %s request named %q twice", r.Method, n)
			}
			if api.inFlight[k] {
				api.tb.Errorf("%s of %q arrived while an earlier write of it was unanswered",
					r.Method, n)
			}
			inRequest[k], api.inFlight[k] = true, true
		}
	}
	before, status := api.before, api.failAll[r.Method]
	api.mu.Unlock()

	if before != nil {
		before(r, names)
	}
	if r.Method == http.MethodGet {
		storeAnswer(w, http.StatusOK, map[string]any{"items": listed})
		return
	}

	api.mu.Lock()
	var items []map[string]any
	if status == 0 {
		items = api.applyLocked(r.Method, account, sent)
	}
	// Cleared before the answer is written, so the client cannot see the answer first.
	for _, n := range names {
		delete(api.inFlight, account+"/"+NameKey(n))
	}
	api.mu.Unlock()

	if status != 0 {
		storeAnswer(w, status, map[string]any{"code": 1, "message": "invalid parameters"})
		return
	}
	storeAnswer(w, http.StatusOK, map[string]any{"items": items})
}

// applyLocked carries out a write and returns the per-event answer.
func (api *storeAPI) applyLocked(method, account string, sent []Event) []map[string]any {
	held := api.events[account]
	if held == nil {
		held = make(map[string]Event)
		api.events[account] = held
	}
	items := make([]map[string]any, len(sent))
	for i, e := range sent {
		k := NameKey(e.Name)
		exception := api.failName[k]
		if exception == "" {
			switch method {
			case http.MethodPost:
				if _, ok := held[k]; ok {
					exception = "duplicate_event_name"
				} else {
					held[k] = e
				}
			case http.MethodPatch:
				if old, ok := held[k]; ok {
					old.MappingType = e.MappingType
					held[k] = old
				} else {
					exception = "event_not_found"
				}
			case http.MethodDelete:
				delete(held, k)
			}
		}
		if exception != "" {
			items[i] = map[string]any{"name": e.Name, "status": "failure",
				"exceptions": []string{exception}}
		} else {
			items[i] = map[string]any{"name": e.Name, "status": "success"}
		}
	}
	return items
}

func (api *storeAPI) listLocked(account string) []Event {
	var list []Event
	for _, e := range api.events[account] {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b Event) int { return strings.Compare(a.Name, b.Name) })
	return list
}

func storeAnswer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// seed defines events, mapped to LEAD, in the ad account.
func (api *storeAPI) seed(account string, names ...string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.events[account] == nil {
		api.events[account] = make(map[string]Event)
	}
	for _, n := range names {
		api.events[account][NameKey(n)] = Event{Name: n, MappingType: MappingLead}
	}
}

func (api *storeAPI) setBefore(f func(r *http.Request, names []string)) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.before = f
}

func (api *storeAPI) failEvent(name, exception string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.failName[NameKey(name)] = exception
}

func (api *storeAPI) failRequests(method string, status int) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.failAll[method] = status
}

func (api *storeAPI) count(method string) int {
	api.mu.Lock()
	defer api.mu.Unlock()
	return api.requests[method]
}

func (api *storeAPI) sizesOf(method string) []int {
	api.mu.Lock()
	defer api.mu.Unlock()
	return slices.Clone(api.sizes[method])
}

func (api *storeAPI) writeLog() []string {
	api.mu.Lock()
	defer api.mu.Unlock()
	return slices.Clone(api.writes)
}

// names returns the names the ad account holds, sorted.
func (api *storeAPI) names(account string) []string {
	api.mu.Lock()
	defer api.mu.Unlock()
	return storeNames(api.listLocked(account))
}

func storeNames(events []Event) []string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Name
	}
	slices.Sort(names)
	return names
}

// newStoreForTest returns a Store over a client of the fake that never retries. When the
// test ends it checks that the Store left no goroutine behind.
func newStoreForTest(tb testing.TB, api *storeAPI, opts StoreOptions) *Store {
	tb.Helper()
	c, err := NewClient(Config{
		BaseURL:     api.url,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "store-test"}),
		Retry:       RetryPolicy{MaxRetries: -1},
	})
	if err != nil {
		tb.Fatalf("NewClient: %v", err)
	}
	tb.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for storeGoroutines() > 0 {
			if time.Now().After(deadline) {
				tb.Errorf("the Store left %d goroutines running", storeGoroutines())
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	return NewStore(c, opts)
}

// storeGoroutines counts the goroutines running the Store's own code.
func storeGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "pinterest.(*Store).") && !strings.Contains(g, "storeGoroutines") {
			count++
		}
	}
	return count
}

// storeEventually waits until cond holds, failing the test after a few seconds.
func storeEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// storeAwait returns the next value from ch, failing the test after a few seconds.
func storeAwait[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// storeInspect runs f with the Store's state of the ad account locked.
func storeInspect(s *Store, adAccountID string, f func(a *adAccountState)) {
	a := s.state(adAccountID)
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

// storeGathered returns how many writes of the kind wait in a batch not yet sent.
func storeGathered(s *Store, adAccountID string, kind writeKind) int {
	n := 0
	storeInspect(s, adAccountID, func(a *adAccountState) {
		if b := a.pending[kind]; b != nil {
			n = len(b.writes)
		}
	})
	return n
}

// storeGate returns a channel that blocks until open is called; open may be called
// more than once.
func storeGate() (gate chan struct{}, open func()) {
	gate = make(chan struct{})
	return gate, sync.OnceFunc(func() { close(gate) })
}

func storeEvent(name string) Event {
	return Event{Name: name, MappingType: MappingLead}
}

func TestStoreEvents_concurrentReadersShareOneRequest(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "cart_viewed", "signup_started")
	api.setBefore(func(*http.Request, []string) { time.Sleep(20 * time.Millisecond) })
	s := newStoreForTest(t, api, StoreOptions{Sharing: true})

	var wg sync.WaitGroup
	for range 15 {
		wg.Go(func() {
			events, err := s.Events(t.Context(), "100")
			if err != nil {
				t.Errorf("Events: %v", err)
				return
			}
			if len(events) != 2 {
				t.Errorf("got %d events, want 2", len(events))
				return
			}
			// Each caller has its own copy to change.
			events[0].Name = "changed_by_a_caller"
		})
	}
	wg.Wait()

	if n := api.count(http.MethodGet); n != 1 {
		t.Errorf("15 concurrent readers made %d list requests, want 1", n)
	}
	events, err := s.Events(t.Context(), "100")
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if got := storeNames(events); !slices.Equal(got, []string{"cart_viewed", "signup_started"}) {
		t.Errorf("a later reader got %v: a caller's change reached the shared answer", got)
	}
	if n := api.count(http.MethodGet); n != 1 {
		t.Errorf("a later reader made a list request of its own (%d in all)", n)
	}
}

func TestStoreEvents_oneRequestPerAdAccount(t *testing.T) {
	api := newStoreAPI(t)
	accounts := []string{"100", "200", "300"}
	for _, id := range accounts {
		api.seed(id, "event_of_"+id)
	}
	s := newStoreForTest(t, api, StoreOptions{Sharing: true})

	var wg sync.WaitGroup
	for _, id := range accounts {
		for range 5 {
			wg.Go(func() {
				events, err := s.Events(t.Context(), id)
				if err != nil {
					t.Errorf("Events(%s): %v", id, err)
					return
				}
				if got := storeNames(events); !slices.Equal(got, []string{"event_of_" + id}) {
					t.Errorf("ad account %s got %v", id, got)
				}
			})
		}
	}
	wg.Wait()

	if n := api.count(http.MethodGet); n != 3 {
		t.Errorf("3 ad accounts made %d list requests, want 3", n)
	}
}

func TestStoreEvents_refetchedAfterEveryWrite(t *testing.T) {
	for _, batching := range []bool{false, true} {
		t.Run(fmt.Sprintf("batching=%v", batching), func(t *testing.T) {
			api := newStoreAPI(t)
			api.seed("100", "kept")
			api.failEvent("refused", "invalid_event")
			s := newStoreForTest(t, api, StoreOptions{Sharing: true, Batching: batching})
			ctx := t.Context()

			read := func(wantGets int, want ...string) []Event {
				t.Helper()
				events, err := s.Events(ctx, "100")
				if err != nil {
					t.Fatalf("Events: %v", err)
				}
				if got := storeNames(events); !slices.Equal(got, want) {
					t.Errorf("read %v, want %v", got, want)
				}
				if n := api.count(http.MethodGet); n != wantGets {
					t.Errorf("made %d list requests so far, want %d", n, wantGets)
				}
				return events
			}

			read(1, "kept")
			read(1, "kept")
			if err := s.Create(ctx, "100", storeEvent("added")); err != nil {
				t.Fatalf("Create: %v", err)
			}
			read(2, "added", "kept")
			if err := s.UpdateMapping(ctx, "100", Event{"kept", MappingSearch}); err != nil {
				t.Fatalf("UpdateMapping: %v", err)
			}
			for _, e := range read(3, "added", "kept") {
				if e.Name == "kept" && e.MappingType != MappingSearch {
					t.Errorf("read mapping %q after the update, want SEARCH", e.MappingType)
				}
			}
			if err := s.Untrack(ctx, "100", "added"); err != nil {
				t.Fatalf("Untrack: %v", err)
			}
			read(4, "kept")
			// A failed write may still have changed something, so it invalidates too.
			if err := s.Create(ctx, "100", storeEvent("refused")); err == nil {
				t.Fatalf("Create of a refused event succeeded")
			}
			read(5, "kept")
			read(5, "kept")
		})
	}
}

func TestStoreEvents_readerAfterWriteNeverGetsOlderAnswer(t *testing.T) {
	for _, batching := range []bool{false, true} {
		t.Run(fmt.Sprintf("batching=%v", batching), func(t *testing.T) {
			api := newStoreAPI(t)
			api.seed("100", "before_write")
			gate, open := storeGate()
			defer open()
			arrived := make(chan struct{}, 1)
			var gets atomic.Int32
			// The first list request takes its answer on arrival, then is held back.
			api.setBefore(func(r *http.Request, _ []string) {
				if r.Method == http.MethodGet && gets.Add(1) == 1 {
					arrived <- struct{}{}
					<-gate
				}
			})
			s := newStoreForTest(t, api, StoreOptions{Sharing: true, Batching: batching})
			ctx := t.Context()

			early := make(chan error, 1)
			go func() {
				_, err := s.Events(ctx, "100")
				early <- err
			}()
			storeAwait(t, "the first list request", arrived)
			if err := s.Create(ctx, "100", storeEvent("after_write")); err != nil {
				t.Fatalf("Create: %v", err)
			}

			late := make(chan []Event, 1)
			go func() {
				events, err := s.Events(ctx, "100")
				if err != nil {
					t.Errorf("Events: %v", err)
				}
				late <- events
			}()
			got := storeNames(storeAwait(t, "a reader that began after the write", late))
			if !slices.Contains(got, "after_write") {
				t.Errorf("a reader that began after the write read %v", got)
			}

			open()
			if err := storeAwait(t, "the reader that began first", early); err != nil {
				t.Errorf("the reader that began first: %v", err)
			}
			// The older answer, arriving last, must not replace the newer one.
			events, err := s.Events(ctx, "100")
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			if got := storeNames(events); !slices.Contains(got, "after_write") {
				t.Errorf("a later reader read %v, the answer from before the write", got)
			}
			if n := api.count(http.MethodGet); n != 2 {
				t.Errorf("made %d list requests, want 2", n)
			}
		})
	}
}

func TestStoreEvents_cancelledReaderLeavesOthersUnharmed(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "cart_viewed")
	gate, open := storeGate()
	defer open()
	arrived := make(chan struct{}, 1)
	api.setBefore(func(*http.Request, []string) {
		arrived <- struct{}{}
		<-gate
	})
	s := newStoreForTest(t, api, StoreOptions{Sharing: true})

	ctxA, cancelA := context.WithCancel(t.Context())
	defer cancelA()
	errA := make(chan error, 1)
	go func() {
		_, err := s.Events(ctxA, "100")
		errA <- err
	}()
	storeAwait(t, "the list request", arrived)

	type answer struct {
		events []Event
		err    error
	}
	resultB := make(chan answer, 1)
	go func() {
		events, err := s.Events(t.Context(), "100")
		resultB <- answer{events, err}
	}()
	storeEventually(t, "both readers wait for the list request", func() bool {
		n := 0
		storeInspect(s, "100", func(a *adAccountState) {
			if a.listing != nil {
				n = a.listing.readers
			}
		})
		return n == 2
	})

	cancelA()
	if err := storeAwait(t, "the cancelled reader", errA); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled reader got %v, want context.Canceled", err)
	}
	open()
	b := storeAwait(t, "the other reader", resultB)
	if b.err != nil || len(b.events) != 1 {
		t.Errorf("the other reader got %v, %v; want one event", b.events, b.err)
	}
	if n := api.count(http.MethodGet); n != 1 {
		t.Errorf("made %d list requests, want 1", n)
	}
}

func TestStoreEvents_lastReaderLeavingCancelsRequest(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "cart_viewed")
	arrived := make(chan struct{}, 1)
	cancelled := make(chan struct{}, 1)
	var gets atomic.Int32
	api.setBefore(func(r *http.Request, _ []string) {
		if gets.Add(1) > 1 {
			return
		}
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			cancelled <- struct{}{}
		case <-time.After(5 * time.Second):
		}
	})
	s := newStoreForTest(t, api, StoreOptions{Sharing: true})

	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() {
		_, err := s.Events(ctx, "100")
		errs <- err
	}()
	storeAwait(t, "the list request", arrived)
	cancel()
	if err := storeAwait(t, "the cancelled reader", errs); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled reader got %v, want context.Canceled", err)
	}
	storeAwait(t, "the abandoned list request to be cancelled", cancelled)

	events, err := s.Events(t.Context(), "100")
	if err != nil || len(events) != 1 {
		t.Errorf("a new reader got %v, %v; want one event", events, err)
	}
}

func TestStoreEvents_writeLeavesOtherAdAccountsCached(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "event_a")
	api.seed("200", "event_b")
	s := newStoreForTest(t, api, StoreOptions{Sharing: true, Batching: true})
	ctx := t.Context()

	for _, id := range []string{"100", "200"} {
		if _, err := s.Events(ctx, id); err != nil {
			t.Fatalf("Events(%s): %v", id, err)
		}
	}
	end := s.Begin("100")
	err := s.Create(ctx, "100", storeEvent("event_a2"))
	end()
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := s.Events(ctx, "200"); err != nil {
		t.Fatalf("Events(200): %v", err)
	}
	if n := api.count(http.MethodGet); n != 2 {
		t.Errorf("a write to ad account 100 made ad account 200 list again (%d requests)", n)
	}
	if _, err := s.Events(ctx, "100"); err != nil {
		t.Fatalf("Events(100): %v", err)
	}
	if n := api.count(http.MethodGet); n != 3 {
		t.Errorf("made %d list requests, want 3", n)
	}
}

// storeCreateAll creates the named events concurrently, each in an operation announced
// up front, and returns each caller's error by name.
func storeCreateAll(t *testing.T, s *Store, adAccountID string, names []string) map[string]error {
	t.Helper()
	ends := make([]func(), len(names))
	for i := range names {
		ends[i] = s.Begin(adAccountID)
	}
	var mu sync.Mutex
	errs := make(map[string]error)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			defer ends[i]()
			err := s.Create(t.Context(), adAccountID, storeEvent(name))
			mu.Lock()
			errs[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return errs
}

func storeEventNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("event_%02d", i)
	}
	return names
}

func TestStoreCreate_announcedCallersShareOneEarlyRequest(t *testing.T) {
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	start := time.Now()
	errs := storeCreateAll(t, s, "100", storeEventNames(15))
	elapsed := time.Since(start)

	for name, err := range errs {
		if err != nil {
			t.Errorf("Create(%s): %v", name, err)
		}
	}
	if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{15}) {
		t.Errorf("create requests carried %v events, want one request of 15", got)
	}
	if elapsed >= time.Second {
		t.Errorf("the batch took %v: it waited for the window though every operation "+
			"was waiting", elapsed)
	}
	if got := api.names("100"); len(got) != 15 {
		t.Errorf("the ad account holds %d events, want 15", len(got))
	}
}

func TestStoreCreate_runningAnnouncedOperationHoldsBatchForWindow(t *testing.T) {
	const window = 30 * time.Millisecond
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: window})

	// The third operation is announced but writes only after the others are done, so
	// nothing but the window can send their batch.
	endLate := s.Begin("100")
	start := time.Now()
	errs := storeCreateAll(t, s, "100", []string{"first", "second"})
	elapsed := time.Since(start)
	for name, err := range errs {
		if err != nil {
			t.Errorf("Create(%s): %v", name, err)
		}
	}
	if elapsed < window {
		t.Errorf("the batch went after %v, before the %v window, while an announced "+
			"operation was still running", elapsed, window)
	}

	err := s.Create(t.Context(), "100", storeEvent("late"))
	endLate()
	if err != nil {
		t.Errorf("Create(late): %v", err)
	}
	total := 0
	for _, n := range api.sizesOf(http.MethodPost) {
		total += n
	}
	if total != 3 {
		t.Errorf("create requests carried %d events, want 3", total)
	}
}

func TestStoreCreate_endingWithoutWritingReleasesBatch(t *testing.T) {
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	start := time.Now()
	endIdle := s.Begin("100")
	done := make(chan map[string]error, 1)
	go func() { done <- storeCreateAll(t, s, "100", []string{"first", "second"}) }()
	storeEventually(t, "both creates are gathered", func() bool {
		return storeGathered(s, "100", writeCreate) == 2
	})
	endIdle()
	for name, err := range storeAwait(t, "the creates", done) {
		if err != nil {
			t.Errorf("Create(%s): %v", name, err)
		}
	}
	if elapsed := time.Since(start); elapsed >= time.Second {
		t.Errorf("the batch took %v: ending the last other operation did not send it", elapsed)
	}
	if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{2}) {
		t.Errorf("create requests carried %v events, want one request of 2", got)
	}
}

func TestStoreCreate_unannouncedCallersWaitForWindow(t *testing.T) {
	t.Run("alone", func(t *testing.T) {
		const window = 30 * time.Millisecond
		api := newStoreAPI(t)
		s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: window})

		start := time.Now()
		if err := s.Create(t.Context(), "100", storeEvent("unannounced")); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if elapsed := time.Since(start); elapsed < window {
			t.Errorf("with nothing announced the batch went after %v, before the window",
				elapsed)
		}
	})

	t.Run("joined by an announced operation", func(t *testing.T) {
		api := newStoreAPI(t)
		s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

		start := time.Now()
		errs := make(chan error, 5)
		for _, name := range storeEventNames(4) {
			go func() { errs <- s.Create(t.Context(), "100", storeEvent(name)) }()
		}
		storeEventually(t, "the unannounced creates are gathered", func() bool {
			return storeGathered(s, "100", writeCreate) == 4
		})
		// Once the only announced operation waits too, nothing more is known to come.
		go func() {
			end := s.Begin("100")
			defer end()
			errs <- s.Create(t.Context(), "100", storeEvent("announced"))
		}()
		for range 5 {
			if err := storeAwait(t, "a create", errs); err != nil {
				t.Errorf("Create: %v", err)
			}
		}
		if elapsed := time.Since(start); elapsed >= time.Second {
			t.Errorf("the batch took %v, want it sent once the announced operation waited",
				elapsed)
		}
		if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{5}) {
			t.Errorf("create requests carried %v events, want one request of 5", got)
		}
	})
}

func TestStoreWrite_eventFailureFailsOnlyItsCaller(t *testing.T) {
	api := newStoreAPI(t)
	api.failEvent("taken", "duplicate_event_name")
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	errs := storeCreateAll(t, s, "100", append(storeEventNames(4), "taken"))
	for name, err := range errs {
		if name != "taken" && err != nil {
			t.Errorf("Create(%s) failed with another event: %v", name, err)
		}
	}
	var itemErr *ItemError
	if err := errs["taken"]; !errors.As(err, &itemErr) || !errors.Is(err, ErrDuplicateName) {
		t.Errorf("Create(taken) = %v, want an *ItemError for a duplicate name", err)
	} else if itemErr.Name != "taken" {
		t.Errorf("the error names %q, want taken", itemErr.Name)
	}
	if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{5}) {
		t.Errorf("create requests carried %v events, want one request of 5", got)
	}
}

func TestStoreWrite_requestFailureFailsWholeBatch(t *testing.T) {
	api := newStoreAPI(t)
	api.failRequests(http.MethodPost, http.StatusBadRequest)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	errs := storeCreateAll(t, s, "100", storeEventNames(5))
	for name, err := range errs {
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Create(%s) = %v, want the request's *APIError", name, err)
		}
	}
	if n := api.count(http.MethodPost); n != 1 {
		t.Errorf("made %d create requests, want 1", n)
	}
}

func TestStoreWrite_maxBatchSplitsRequests(t *testing.T) {
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{
		Batching: true, Window: 2 * time.Second, MaxBatch: 4,
	})

	for name, err := range storeCreateAll(t, s, "100", storeEventNames(10)) {
		if err != nil {
			t.Errorf("Create(%s): %v", name, err)
		}
	}
	sizes := api.sizesOf(http.MethodPost)
	total := 0
	for _, n := range sizes {
		total += n
		if n > 4 {
			t.Errorf("a create request carried %d events, more than MaxBatch 4", n)
		}
	}
	if total != 10 || len(sizes) != 3 {
		t.Errorf("create requests carried %v events, want 10 in 3 requests", sizes)
	}
}

func TestStoreWrite_sameNameKeepsOrder(t *testing.T) {
	t.Run("untrack then create", func(t *testing.T) {
		api := newStoreAPI(t)
		api.seed("100", "Foo")
		// A create that overtook the untrack would be a duplicate; the delay gives a
		// wrongly ordered create every chance to arrive first.
		api.setBefore(func(r *http.Request, _ []string) {
			if r.Method == http.MethodDelete {
				time.Sleep(30 * time.Millisecond)
			}
		})
		s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

		endUntrack, endCreate := s.Begin("100"), s.Begin("100")
		errs := make(chan error, 2)
		go func() {
			defer endUntrack()
			errs <- s.Untrack(t.Context(), "100", "Foo")
		}()
		storeEventually(t, "the untrack is gathered", func() bool {
			return storeGathered(s, "100", writeUntrack) == 1
		})
		go func() {
			defer endCreate()
			errs <- s.Create(t.Context(), "100", storeEvent("foo"))
		}()
		for range 2 {
			if err := storeAwait(t, "a write", errs); err != nil {
				t.Errorf("write: %v", err)
			}
		}
		if got := api.writeLog(); !slices.Equal(got, []string{"DELETE Foo", "POST foo"}) {
			t.Errorf("the server saw %q, want the untrack of Foo before the create of foo", got)
		}
		if got := api.names("100"); !slices.Equal(got, []string{"foo"}) {
			t.Errorf("the ad account holds %v, want [foo]", got)
		}
	})

	t.Run("update then untrack", func(t *testing.T) {
		api := newStoreAPI(t)
		api.seed("100", "checkout_done")
		api.setBefore(func(r *http.Request, _ []string) {
			if r.Method == http.MethodPatch {
				time.Sleep(30 * time.Millisecond)
			}
		})
		s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

		endUpdate, endUntrack := s.Begin("100"), s.Begin("100")
		errs := make(chan error, 2)
		go func() {
			defer endUpdate()
			errs <- s.UpdateMapping(t.Context(), "100", Event{"Checkout_Done", MappingCheckout})
		}()
		storeEventually(t, "the update is gathered", func() bool {
			return storeGathered(s, "100", writeUpdate) == 1
		})
		go func() {
			defer endUntrack()
			errs <- s.Untrack(t.Context(), "100", "checkout_done")
		}()
		for range 2 {
			if err := storeAwait(t, "a write", errs); err != nil {
				t.Errorf("write: %v", err)
			}
		}
		want := []string{"PATCH Checkout_Done", "DELETE checkout_done"}
		if got := api.writeLog(); !slices.Equal(got, want) {
			t.Errorf("the server saw %q, want %q", got, want)
		}
	})

	t.Run("never twice in one batch", func(t *testing.T) {
		api := newStoreAPI(t)
		s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

		// Case variants of one name and other names, all created at once: the variants
		// must go in separate requests, one at a time; the fake fails the test otherwise.
		names := []string{"Dup", "dup", "DUP", "other_1", "other_2"}
		errs := storeCreateAll(t, s, "100", names)
		failed := 0
		for _, name := range names {
			if errs[name] != nil {
				if !errors.Is(errs[name], ErrDuplicateName) || NameKey(name) != "dup" {
					t.Errorf("Create(%s): %v", name, errs[name])
				}
				failed++
			}
		}
		if failed != 2 {
			t.Errorf("%d creates of the variants failed as duplicates, want 2", failed)
		}
		if n := api.count(http.MethodPost); n < 3 {
			t.Errorf("made %d create requests, want at least 3 for 3 variants", n)
		}
	})
}

func TestStoreWrite_differentKindsInFlightTogether(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "existing")
	gate, open := storeGate()
	defer open()
	postArrived := make(chan struct{}, 1)
	patchArrived := make(chan struct{}, 1)
	api.setBefore(func(r *http.Request, _ []string) {
		switch r.Method {
		case http.MethodPost:
			postArrived <- struct{}{}
			<-gate
		case http.MethodPatch:
			patchArrived <- struct{}{}
		}
	})
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	errs := make(chan error, 2)
	endCreate := s.Begin("100")
	go func() {
		defer endCreate()
		errs <- s.Create(t.Context(), "100", storeEvent("created"))
	}()
	storeAwait(t, "the create request", postArrived)
	endUpdate := s.Begin("100")
	go func() {
		defer endUpdate()
		errs <- s.UpdateMapping(t.Context(), "100", Event{"existing", MappingSearch})
	}()
	storeAwait(t, "the update request while the create request is under way", patchArrived)
	open()
	for range 2 {
		if err := storeAwait(t, "a write", errs); err != nil {
			t.Errorf("write: %v", err)
		}
	}
}

func TestStoreWrite_cancelledBeforeSendIsDropped(t *testing.T) {
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	endDropped, endKept, endIdle := s.Begin("100"), s.Begin("100"), s.Begin("100")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	dropped, kept := make(chan error, 1), make(chan error, 1)
	go func() {
		defer endDropped()
		dropped <- s.Create(ctx, "100", storeEvent("dropped"))
	}()
	go func() {
		defer endKept()
		kept <- s.Create(t.Context(), "100", storeEvent("kept"))
	}()
	storeEventually(t, "both creates are gathered", func() bool {
		return storeGathered(s, "100", writeCreate) == 2
	})

	cancel()
	if err := storeAwait(t, "the cancelled create", dropped); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled create got %v, want context.Canceled", err)
	}
	storeEventually(t, "the cancelled create leaves the batch", func() bool {
		return storeGathered(s, "100", writeCreate) == 1
	})
	endIdle()
	if err := storeAwait(t, "the other create", kept); err != nil {
		t.Errorf("the other create: %v", err)
	}
	if got := api.writeLog(); !slices.Equal(got, []string{"POST kept"}) {
		t.Errorf("the server saw %q, want only the create of kept", got)
	}
}

func TestStoreWrite_cancelledAfterSendLeavesOthersUnharmed(t *testing.T) {
	api := newStoreAPI(t)
	gate, open := storeGate()
	defer open()
	arrived := make(chan struct{}, 1)
	api.setBefore(func(*http.Request, []string) {
		arrived <- struct{}{}
		<-gate
	})
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})

	endLeaving, endStaying := s.Begin("100"), s.Begin("100")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	leaving, staying := make(chan error, 1), make(chan error, 1)
	go func() {
		defer endLeaving()
		leaving <- s.Create(ctx, "100", storeEvent("leaving"))
	}()
	go func() {
		defer endStaying()
		staying <- s.Create(t.Context(), "100", storeEvent("staying"))
	}()
	storeAwait(t, "the create request", arrived)

	cancel()
	if err := storeAwait(t, "the cancelled create", leaving); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled create got %v, want context.Canceled", err)
	}
	open()
	if err := storeAwait(t, "the other create", staying); err != nil {
		t.Errorf("the other create: %v", err)
	}
	if got := api.names("100"); !slices.Equal(got, []string{"leaving", "staying"}) {
		t.Errorf("the ad account holds %v: the request did not run to its end", got)
	}
	if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{2}) {
		t.Errorf("create requests carried %v events, want one request of 2", got)
	}
}

func TestStoreWrite_lastCallerLeavingCancelsRequest(t *testing.T) {
	api := newStoreAPI(t)
	arrived := make(chan struct{}, 1)
	cancelled := make(chan struct{}, 1)
	api.setBefore(func(r *http.Request, _ []string) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			cancelled <- struct{}{}
		case <-time.After(5 * time.Second):
		}
	})
	s := newStoreForTest(t, api, StoreOptions{Batching: true})

	end := s.Begin("100")
	defer end()
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() { errs <- s.Untrack(ctx, "100", "abandoned") }()
	storeAwait(t, "the untrack request", arrived)
	cancel()
	if err := storeAwait(t, "the cancelled untrack", errs); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled untrack got %v, want context.Canceled", err)
	}
	storeAwait(t, "the abandoned untrack request to be cancelled", cancelled)
}

func TestStore_switchesOffPassThrough(t *testing.T) {
	api := newStoreAPI(t)
	api.seed("100", "cart_viewed")
	s := newStoreForTest(t, api, StoreOptions{})

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := s.Events(t.Context(), "100"); err != nil {
				t.Errorf("Events: %v", err)
			}
		})
	}
	wg.Wait()
	for name, err := range storeCreateAll(t, s, "100", storeEventNames(5)) {
		if err != nil {
			t.Errorf("Create(%s): %v", name, err)
		}
	}
	if err := s.UpdateMapping(t.Context(), "100", Event{"cart_viewed", MappingSearch}); err != nil {
		t.Errorf("UpdateMapping: %v", err)
	}
	if err := s.Untrack(t.Context(), "100", "cart_viewed"); err != nil {
		t.Errorf("Untrack: %v", err)
	}

	if n := api.count(http.MethodGet); n != 5 {
		t.Errorf("5 readers made %d list requests, want 5", n)
	}
	if got := api.sizesOf(http.MethodPost); !slices.Equal(got, []int{1, 1, 1, 1, 1}) {
		t.Errorf("create requests carried %v events, want 5 requests of 1", got)
	}
	if n, m := api.count(http.MethodPatch), api.count(http.MethodDelete); n != 1 || m != 1 {
		t.Errorf("made %d update and %d untrack requests, want 1 each", n, m)
	}
}

func TestStoreBegin_endTwiceIsHarmless(t *testing.T) {
	api := newStoreAPI(t)
	s := newStoreForTest(t, api, StoreOptions{Batching: true, Window: 2 * time.Second})
	active := func() int {
		n := 0
		storeInspect(s, "100", func(a *adAccountState) { n = a.load.active })
		return n
	}

	end1, end2 := s.Begin("100"), s.Begin("100")
	end1()
	end1()
	if n := active(); n != 1 {
		t.Errorf("after one of two operations ended twice, %d are active, want 1", n)
	}
	end2()
	end2()
	if n := active(); n != 0 {
		t.Errorf("after both operations ended, %d are active, want 0", n)
	}

	var wg sync.WaitGroup
	for range 50 {
		end := s.Begin("100")
		wg.Go(end)
		wg.Go(end)
	}
	wg.Wait()
	if n := active(); n != 0 {
		t.Errorf("after 50 operations each ended twice concurrently, %d are active, want 0", n)
	}

	// With the count intact, a lone announced write goes without waiting for the window.
	start := time.Now()
	end := s.Begin("100")
	err := s.Create(t.Context(), "100", storeEvent("lone"))
	end()
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if elapsed := time.Since(start); elapsed >= time.Second {
		t.Errorf("a lone announced write took %v, want no wait for the window", elapsed)
	}
}

// storeBenchModes are the configurations the benchmarks compare.
var storeBenchModes = []struct {
	name string
	opts StoreOptions
}{
	{"batched", StoreOptions{Batching: true, Sharing: true}},
	{"unbatched", StoreOptions{}},
}

// BenchmarkStoreCreate15 creates 15 events in one ad account at once, as an apply of 15
// new resources does.
func BenchmarkStoreCreate15(b *testing.B) {
	for _, mode := range storeBenchModes {
		b.Run(mode.name, func(b *testing.B) {
			api := newStoreAPI(b)
			s := newStoreForTest(b, api, mode.opts)
			ctx := context.Background()
			ops := 0
			for b.Loop() {
				id := strconv.Itoa(1000 + ops)
				ops++
				ends := make([]func(), 15)
				for i := range ends {
					ends[i] = s.Begin(id)
				}
				var wg sync.WaitGroup
				for i, end := range ends {
					wg.Go(func() {
						defer end()
						err := s.Create(ctx, id, storeEvent(fmt.Sprintf("event_%02d", i)))
						if err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(api.count(http.MethodPost))/float64(ops), "requests/op")
		})
	}
}

// BenchmarkStoreEvents reads one ad account from 15 resources at once, as a refresh of
// 15 events does.
func BenchmarkStoreEvents(b *testing.B) {
	for _, mode := range storeBenchModes {
		b.Run(mode.name, func(b *testing.B) {
			api := newStoreAPI(b)
			s := newStoreForTest(b, api, mode.opts)
			ctx := context.Background()
			ops := 0
			for b.Loop() {
				// A new ad account each time, so the cache cannot answer.
				id := strconv.Itoa(1000 + ops)
				ops++
				var wg sync.WaitGroup
				for range 15 {
					wg.Go(func() {
						end := s.Begin(id)
						defer end()
						if _, err := s.Events(ctx, id); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(api.count(http.MethodGet))/float64(ops), "requests/op")
		})
	}
}
