package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freshClient opens a new connection per request. Go's transport silently retries an
// idempotent request whose reused connection closes unanswered, which would hide the faults
// that close connections.
func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaults_answers(t *testing.T) {
	tests := []struct {
		kind       FaultKind
		status     int
		code       int
		msg        string
		retryAfter string
	}{
		{FaultRateLimit, 429, codeRateLimited, "Rate limit exceeded.", "1"},
		{FaultRateLimitNoHeader, 429, codeRateLimited, "Rate limit exceeded.", ""},
		{FaultSpam, 429, codeRateLimited, "spam", ""},
		{FaultServerError, 500, codeServerError, "", ""},
		{FaultBadGateway, 502, codeBadGateway, "", ""},
		{FaultUnavailable, 503, codeUnavailable, "Service not accepting traffic", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			emu, srv := newTestServer(t)
			emu.AddFault(FaultRule{Kind: tt.kind, Count: 1})

			r := call{method: "POST", body: itemsBody("ev=LEAD")}.mustSend(t, srv)

			wantError(t, r, tt.status, tt.code, tt.msg)
			if got := r.header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if r.header.Get("x-pinterest-rid") == "" {
				t.Error("no x-pinterest-rid")
			}
			wantEvents(t, emu, testAccount)
			if got := emu.Requests()[0]; got.Fault != tt.kind || got.Status != tt.status {
				t.Errorf("recorded %+v", got)
			}

			// The fault fired once; the retry goes through.
			r = call{method: "POST", body: itemsBody("ev=LEAD")}.mustSend(t, srv)
			wantItems(t, r, "ev:success")
		})
	}
}

func TestFault_beforeAuth(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddFault(FaultRule{Kind: FaultRateLimit, Count: 1})

	r := call{method: "GET", token: "bogus"}.mustSend(t, srv)

	wantError(t, r, http.StatusTooManyRequests, codeRateLimited)
}

func TestFault_drop(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			emu, srv := newTestServer(t)
			emu.AddFault(FaultRule{Kind: FaultDrop, Count: 1})

			_, err := withBody(call{method: method, client: freshClient()}).send(t, srv)

			if err == nil {
				t.Fatal("no client error for a dropped connection")
			}
			wantEvents(t, emu, testAccount)
			if got := emu.Requests(); len(got) != 1 || got[0].Fault != FaultDrop ||
				got[0].Status != 0 {
				t.Errorf("recorded %+v", got)
			}
		})
	}
}

func TestFault_lostAnswer(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddFault(FaultRule{Kind: FaultLostAnswer, Methods: []string{"POST"}, Count: 1})

	_, err := call{method: "POST", body: itemsBody("ev=LEAD"), client: freshClient()}.
		send(t, srv)

	if err == nil {
		t.Fatal("no client error for a lost answer")
	}
	wantEvents(t, emu, testAccount, "ev=LEAD")
	if got := emu.Requests()[0]; got.Fault != FaultLostAnswer {
		t.Errorf("recorded %+v", got)
	}

	// A client that retries the create meets its own earlier success.
	wantItems(t, call{method: "POST", body: itemsBody("ev=LEAD")}.mustSend(t, srv),
		"ev:failure:duplicate_event_name")
}

func TestFault_lostAnswerStillChecks(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddFault(FaultRule{Kind: FaultLostAnswer, Count: 1})

	_, err := call{method: "POST", body: itemsBody("ev=LEAD"), token: "bogus",
		client: freshClient()}.send(t, srv)

	if err == nil {
		t.Fatal("no client error for a lost answer")
	}
	wantEvents(t, emu, testAccount)
}

func TestFault_truncate(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			emu, srv := newTestServer(t)
			emu.Seed(testAccount, Event{Name: "seeded", MappingType: String("LEAD")})
			emu.AddFault(FaultRule{Kind: FaultTruncate, Count: 1})

			body := ""
			if method == "POST" {
				body = itemsBody("new=LEAD")
			}
			// The status must be read before the body, so this request is built by hand.
			req, err := http.NewRequest(method, srv.URL+eventsPathOf(testAccount),
				strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := freshClient().Do(req)
			if err != nil {
				t.Fatalf("headers should arrive: %v", err)
			}
			defer resp.Body.Close()

			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d", resp.StatusCode)
			}
			var v listBody
			if err := json.NewDecoder(resp.Body).Decode(&v); err == nil {
				t.Fatal("truncated body decoded without error")
			}
			wantEvents(t, emu, testAccount, "seeded=LEAD")
		})
	}
}

func TestFault_hangEndsWithClient(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddFault(FaultRule{Kind: FaultHang, Count: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := call{method: "POST", body: itemsBody("ev=LEAD"), ctx: ctx}.send(t, srv)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want a hang", d)
	}
	wantEvents(t, emu, testAccount)
	// The server noticed: srv.Close in cleanup would block on a handler still hanging.
}

func TestFault_hangEndsWithClose(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddFault(FaultRule{Kind: FaultHang, Count: 1})

	errc := make(chan error, 1)
	go func() {
		_, err := call{method: "GET", client: freshClient()}.send(t, srv)
		errc <- err
	}()
	waitFor(t, func() bool { return emu.RequestCount("") == 1 })
	select {
	case <-errc:
		t.Fatal("hung request answered before Close")
	case <-time.After(50 * time.Millisecond):
	}

	emu.Close()

	select {
	case err := <-errc:
		if err == nil {
			t.Error("released request got an answer, want a closed connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hung request")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serveRecorded runs a request straight through the handler, for the faults that answer.
func serveRecorded(emu *Emulator, method string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, eventsPathOf(testAccount), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	return w
}

func TestFaultRule_countAndMethods(t *testing.T) {
	emu := New(Options{Token: testToken})
	emu.AddFault(FaultRule{Kind: FaultServerError, Methods: []string{"delete", "PATCH"}, Count: 2})

	if got := serveRecorded(emu, "GET").Code; got != 200 {
		t.Errorf("GET = %d, want untouched", got)
	}
	for i, want := range []int{500, 500, 400} {
		if got := serveRecorded(emu, "DELETE").Code; got != want {
			t.Errorf("DELETE %d = %d, want %d", i, got, want)
		}
	}
	if got := serveRecorded(emu, "PATCH").Code; got != 400 {
		t.Errorf("PATCH after the count ran out = %d, want 400 (no body)", got)
	}

	emu.AddFault(FaultRule{Kind: FaultUnavailable, Count: 5})
	emu.ClearFaults()
	if got := serveRecorded(emu, "GET").Code; got != 200 {
		t.Errorf("after ClearFaults = %d", got)
	}
}

func TestFaultRule_firstMatchWins(t *testing.T) {
	emu := New(Options{Token: testToken})
	emu.AddFault(FaultRule{Kind: FaultBadGateway, Count: 1})
	emu.AddFault(FaultRule{Kind: FaultServerError, Count: 1})

	got := []int{serveRecorded(emu, "GET").Code, serveRecorded(emu, "GET").Code,
		serveRecorded(emu, "GET").Code}

	if got[0] != 502 || got[1] != 500 || got[2] != 200 {
		t.Errorf("statuses = %v, want [502 500 200]", got)
	}
}

func TestFaultRule_rate(t *testing.T) {
	pattern := func(seed int64, rate float64) string {
		emu := New(Options{Token: testToken, Seed: seed})
		emu.AddFault(FaultRule{Kind: FaultServerError, Rate: rate})
		var b strings.Builder
		for range 400 {
			if serveRecorded(emu, "GET").Code == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}

	p := pattern(0, 0.25)
	if n := strings.Count(p, "x"); n < 60 || n > 140 {
		t.Errorf("rate 0.25 fired %d times in 400", n)
	}
	if pattern(0, 0.25) != p {
		t.Error("the same seed gave a different fault sequence")
	}
	if pattern(7, 0.25) == p {
		t.Error("different seeds gave the same fault sequence")
	}
	if n := strings.Count(pattern(3, 0), "x"); n != 0 {
		t.Errorf("rate 0 fired %d times", n)
	}
	if n := strings.Count(pattern(3, 1), "x"); n != 400 {
		t.Errorf("rate 1 fired %d times in 400", n)
	}
}

func TestAddFault_unknownKind(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("unknown fault kind accepted")
		}
	}()
	New(Options{Token: testToken}).AddFault(FaultRule{Kind: "typo", Count: 1})
}

func TestRateLimit(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddToken("other", ScopeAdsRead)
	emu.SetRateLimit(2, time.Hour, true)

	for range 2 {
		wantStatus(t, call{method: "GET"}.mustSend(t, srv), 200)
	}
	r := call{method: "POST", body: itemsBody("ev=LEAD")}.mustSend(t, srv)
	wantError(t, r, http.StatusTooManyRequests, codeRateLimited, "Rate limit exceeded.")
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 3590 || secs > 3600 {
		t.Errorf("Retry-After = %q, want about an hour", r.header.Get("Retry-After"))
	}
	wantEvents(t, emu, testAccount)

	// The budget is per token, and rate limiting comes before auth.
	wantStatus(t, call{method: "GET", token: "other"}.mustSend(t, srv), 200)
	wantStatus(t, call{method: "GET", token: "bogus"}.mustSend(t, srv), 401)

	emu.SetRateLimit(0, 0, false)
	wantStatus(t, call{method: "GET"}.mustSend(t, srv), 200)
}

func TestRateLimit_noRetryAfterAndWindowReset(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetRateLimit(1, 300*time.Millisecond, false)

	wantStatus(t, call{method: "GET"}.mustSend(t, srv), 200)
	r := call{method: "GET"}.mustSend(t, srv)
	wantError(t, r, http.StatusTooManyRequests, codeRateLimited)
	if v := r.header.Get("Retry-After"); v != "" {
		t.Errorf("Retry-After = %q, want none", v)
	}

	time.Sleep(350 * time.Millisecond)
	wantStatus(t, call{method: "GET"}.mustSend(t, srv), 200)
}

func TestRateLimit_retryAfterRoundsUp(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetRateLimit(1, 1500*time.Millisecond, true)

	call{method: "GET"}.mustSend(t, srv)
	r := call{method: "GET"}.mustSend(t, srv)

	if v := r.header.Get("Retry-After"); v != "2" {
		t.Errorf("Retry-After = %q, want 2 (1.5 s rounded up)", v)
	}
}

func TestStats(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetOAuthApp("app", "secret", "refresh")
	emu.SetRateLimit(3, time.Hour, true)
	emu.AddFault(FaultRule{Kind: FaultSpam, Methods: []string{"PATCH"}, Count: 1})

	call{method: "GET"}.mustSend(t, srv)
	call{method: "POST", body: itemsBody("ev=LEAD")}.mustSend(t, srv)
	call{method: "PATCH", body: itemsBody("ev=LEAD")}.mustSend(t, srv) // spam fault
	call{method: "DELETE", query: "event_names=ev"}.mustSend(t, srv)
	call{method: "GET"}.mustSend(t, srv) // over budget
	call{method: "GET", path: "/_emulator/events/" + testAccount}.mustSend(t, srv)
	call{method: "POST", path: "/v5/oauth/token", token: "-"}.mustSend(t, srv)

	got := decode[statsBody](t, call{method: "GET", path: "/_emulator/stats"}.mustSend(t, srv))
	want := statsBody{
		Requests:  map[string]int{"GET": 2, "POST": 1, "PATCH": 1, "DELETE": 1},
		Throttled: 2,
		Total:     5,
	}
	if !sameStats(got, want) {
		t.Errorf("stats = %+v, want %+v", got, want)
	}

	r := call{method: "POST", path: "/_emulator/reset-stats", token: "-"}.mustSend(t, srv)
	wantStatus(t, r, 200)
	got = decode[statsBody](t, call{method: "GET", path: "/_emulator/stats", token: "-"}.
		mustSend(t, srv))
	want = statsBody{Requests: map[string]int{"GET": 0, "POST": 0, "PATCH": 0, "DELETE": 0}}
	if !sameStats(got, want) {
		t.Errorf("after reset: stats = %+v", got)
	}
	// The request log is separate from the stats.
	if n := emu.RequestCount(""); n != 5 {
		t.Errorf("RequestCount = %d after reset-stats, want 5", n)
	}
}

func sameStats(a, b statsBody) bool {
	if a.Throttled != b.Throttled || a.Total != b.Total || len(a.Requests) != len(b.Requests) {
		return false
	}
	for k, v := range b.Requests {
		if a.Requests[k] != v {
			return false
		}
	}
	return true
}

func TestAdminEvents(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed("5", Event{Name: "Mixed_Case", MappingType: String("LEAD")},
		Event{Name: "n", MappingType: nil})
	emu.SetLowercaseNames(true)
	emu.DenyAccount("5")
	emu.AddFault(FaultRule{Kind: FaultServerError, Rate: 1})

	r := call{method: "GET", path: "/_emulator/events/5", token: "-"}.mustSend(t, srv)

	wantStatus(t, r, 200)
	if got := strings.TrimSpace(string(r.body)); got != `{"items":[`+
		`{"name":"Mixed_Case","mapped_conversion_type":"LEAD"},`+
		`{"name":"n","mapped_conversion_type":null}]}` {
		t.Errorf("body = %s", got)
	}
	r = call{method: "GET", path: "/_emulator/events/404", token: "-"}.mustSend(t, srv)
	if got := strings.TrimSpace(string(r.body)); got != `{"items":[]}` {
		t.Errorf("unknown account body = %s", got)
	}
	if n := emu.RequestCount(""); n != 0 {
		t.Errorf("admin calls recorded as API requests: %d", n)
	}
}

func TestLatency(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetLatency(150 * time.Millisecond)

	start := time.Now()
	wantStatus(t, call{method: "GET"}.mustSend(t, srv), 200)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least the latency", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := call{method: "POST", body: itemsBody("ev=LEAD"), ctx: ctx}.send(t, srv)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	// The abandoned create must not be applied once the latency would have passed.
	time.Sleep(200 * time.Millisecond)
	wantEvents(t, emu, testAccount)
}
