package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind names a failure the emulator can inject into API requests.
type FaultKind string

// The faults a client of the events API must survive.
const (
	// FaultRateLimit answers 429 code 8 with Retry-After: 1.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultRateLimitNoHeader answers 429 code 8 without Retry-After.
	FaultRateLimitNoHeader FaultKind = "rate_limit_no_header"
	// FaultSpam answers 429 code 8 with a message about spam, which clients must not retry.
	FaultSpam FaultKind = "spam"
	// FaultServerError answers 500.
	FaultServerError FaultKind = "500"
	// FaultBadGateway answers 502.
	FaultBadGateway FaultKind = "502"
	// FaultUnavailable answers 503 code 4197.
	FaultUnavailable FaultKind = "503"
	// FaultDrop closes the connection without an answer; nothing is applied.
	FaultDrop FaultKind = "drop"
	// FaultHang holds the request until the client goes away or the emulator closes;
	// nothing is applied.
	FaultHang FaultKind = "hang"
	// FaultTruncate applies nothing and sends 200 with a body cut short of its
	// Content-Length, then closes the connection.
	FaultTruncate FaultKind = "truncate"
	// FaultLostAnswer applies the request for real, then closes the connection without an
	// answer, as when a response is lost on the way back.
	FaultLostAnswer FaultKind = "lost_answer"
)

var knownFaults = map[FaultKind]bool{
	FaultRateLimit: true, FaultRateLimitNoHeader: true, FaultSpam: true,
	FaultServerError: true, FaultBadGateway: true, FaultUnavailable: true, FaultDrop: true,
	FaultHang: true, FaultTruncate: true, FaultLostAnswer: true,
}

// Messages of the throttling answers; clients tell spam from rate limits by these words.
const (
	rateLimitMessage = "Rate limit exceeded. Please check your rate limit and retry later."
	spamMessage      = "Request blocked: this activity looks like spam. Do not retry it."
)

// FaultRule says which API requests get a fault.
type FaultRule struct {
	Kind FaultKind
	// Methods limits the rule to these HTTP methods; empty means every API method.
	Methods []string
	// Count makes the rule fire on the next Count matching requests; 0 means use Rate.
	Count int
	// Rate is the probability, 0 to 1, that a matching request gets the fault when Count is 0.
	Rate float64
}

// faultState is a rule with the number of firings it has left.
type faultState struct {
	rule      FaultRule
	remaining int
}

// AddFault adds a fault rule. Rules are tried in the order added and the first that fires
// wins. It panics on an unknown kind, because a misspelt fault would silently test nothing.
func (e *Emulator) AddFault(r FaultRule) {
	if !knownFaults[r.Kind] {
		panic(fmt.Sprintf("emulator: unknown fault kind %q", r.Kind))
	}
	r.Methods = append([]string(nil), r.Methods...)

	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &faultState{rule: r, remaining: r.Count})
}

// ClearFaults removes every fault rule.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// drawFault picks the fault for a request, if any, and records it.
func (e *Emulator) drawFault(method string, rec *Request) FaultKind {
	e.mu.Lock()
	defer e.mu.Unlock()

	for _, f := range e.faults {
		if !f.matches(method) {
			continue
		}
		fire := false
		if f.rule.Count > 0 {
			if f.remaining > 0 {
				f.remaining--
				fire = true
			}
		} else if f.rule.Rate > 0 {
			fire = e.rng.Float64() < f.rule.Rate
		}
		if fire {
			rec.Fault = f.rule.Kind
			return f.rule.Kind
		}
	}
	return ""
}

// matches reports whether the rule applies to requests using method.
func (f *faultState) matches(method string) bool {
	if len(f.rule.Methods) == 0 {
		return true
	}
	for _, m := range f.rule.Methods {
		if strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}

// injectFault answers a request with a fault other than lost_answer; nothing is applied.
func (e *Emulator) injectFault(w http.ResponseWriter, r *http.Request, rec *Request,
	kind FaultKind, accountID string,
) {
	switch kind {
	case FaultRateLimit:
		w.Header().Set("Retry-After", "1")
		e.send(w, rec, errorAnswer(http.StatusTooManyRequests, codeRateLimited, rateLimitMessage))
	case FaultRateLimitNoHeader:
		e.send(w, rec, errorAnswer(http.StatusTooManyRequests, codeRateLimited, rateLimitMessage))
	case FaultSpam:
		e.send(w, rec, errorAnswer(http.StatusTooManyRequests, codeRateLimited, spamMessage))
	case FaultServerError:
		e.send(w, rec, errorAnswer(http.StatusInternalServerError, codeServerError,
			"Internal server error."))
	case FaultBadGateway:
		e.send(w, rec, errorAnswer(http.StatusBadGateway, codeBadGateway, "Bad gateway."))
	case FaultUnavailable:
		e.send(w, rec, errorAnswer(http.StatusServiceUnavailable, codeUnavailable,
			"Service not accepting traffic"))
	case FaultDrop:
		abortConnection(w)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-e.closed:
		}
		abortConnection(w)
	case FaultTruncate:
		e.setStatus(rec, http.StatusOK)
		e.truncate(w, accountID)
	}
}

// truncate sends 200 with a JSON body cut in half, declaring the full length, and closes the
// connection so the client reads an unexpected end of body.
func (e *Emulator) truncate(w http.ResponseWriter, accountID string) {
	e.mu.Lock()
	events := e.eventsLocked(accountID)
	e.mu.Unlock()
	if len(events) == 0 {
		// An empty list is too short to cut into something clearly broken.
		events = []Event{{Name: "truncated_event", MappingType: String("LEAD")}}
	}
	full, _ := json.Marshal(listBody{Items: events})

	w.Header().Set("Content-Length", strconv.Itoa(len(full)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(full[:len(full)/2])
	_ = http.NewResponseController(w).Flush()
	abortConnection(w)
}

// abortConnection closes the client connection without a (complete) answer.
func abortConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2 or a recorder): this panic makes net/http reset the stream
		// without logging.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// rateLimiter is a fixed-window budget of requests per access token.
type rateLimiter struct {
	requests   int
	window     time.Duration
	retryAfter bool
	windows    map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	count int
}

// SetRateLimit allows each access token requests API calls per fixed window; more answer 429
// code 8, with Retry-After in whole seconds (rounded up) when retryAfter is set. A zero
// requests or window disables the limit.
func (e *Emulator) SetRateLimit(requests int, window time.Duration, retryAfter bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rate = rateLimiter{
		requests:   requests,
		window:     window,
		retryAfter: retryAfter,
		windows:    map[string]*rateWindow{},
	}
}

// checkRateLimit counts a request against its token's window and answers 429 when the
// budget is spent. Rejected requests do not use up budget.
func (e *Emulator) checkRateLimit(token string) (answer, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()

	rl := &e.rate
	if rl.requests <= 0 || rl.window <= 0 {
		return answer{}, false
	}
	now := time.Now()
	win, ok := rl.windows[token]
	if !ok || now.Sub(win.start) >= rl.window {
		win = &rateWindow{start: now}
		rl.windows[token] = win
	}
	if win.count < rl.requests {
		win.count++
		return answer{}, false
	}

	ans := errorAnswer(http.StatusTooManyRequests, codeRateLimited, rateLimitMessage)
	if rl.retryAfter {
		wait := win.start.Add(rl.window).Sub(now)
		secs := int(math.Ceil(wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		ans.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	}
	return ans, true
}
