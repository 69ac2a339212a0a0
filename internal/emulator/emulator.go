// Package emulator serves an in-memory imitation of Pinterest's advertiser-defined-events API
// and its OAuth token endpoint, so that the provider and its tests can run without the real
// service, which offers no sandbox for these calls.
//
// The emulator follows the documented rules (15 custom events per ad account, name and
// mapping validation, case-insensitive names, per-item results inside HTTP 200) and exposes
// switches for the behaviours Pinterest leaves undocumented, plus fault injection for the
// failures a client must survive. It uses the standard library only.
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mathrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Scopes the emulator knows; the events API needs one or the other.
const (
	ScopeAdsRead  = "ads:read"
	ScopeAdsWrite = "ads:write"
)

// MaxEventsPerAdAccount is the documented limit of custom events in one ad account.
const MaxEventsPerAdAccount = 15

// maxRecordedRequests bounds the request log so that a long-running emulator does not grow
// without end; the counters behind RequestCount are kept separately and stay exact.
const maxRecordedRequests = 10000

// maxBodyBytes bounds the request bodies the emulator reads.
const maxBodyBytes = 1 << 20

// defaultSeed drives the fault RNG when Options.Seed is zero, so runs stay repeatable.
const defaultSeed = 0x5eed

// Event is one custom event as the list call returns it.
type Event struct {
	Name string `json:"name"`
	// MappingType is nil when the server reports no mapping, which the API sends as null.
	MappingType *string `json:"mapped_conversion_type"`
}

// String returns a pointer to s, for building Event values.
func String(s string) *string {
	return &s
}

// Options configure a new Emulator.
type Options struct {
	// Token is the default access token, granted both ads:read and ads:write. Required.
	Token string
	// Seed seeds the fault-injection RNG; 0 picks a fixed default so tests are repeatable.
	Seed int64
}

// Request is one API request as the emulator saw it. It never holds the access token.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Body     []byte
	// Status is the HTTP status answered, or 0 when no answer was sent.
	Status int
	// Fault is the injected fault, if any.
	Fault FaultKind
	At    time.Time
}

// Emulator is an http.Handler that imitates the Pinterest API. It is safe for concurrent use.
type Emulator struct {
	mu sync.Mutex

	tokens   map[string]map[string]bool
	accounts map[string]*adAccount
	denied   map[string]bool

	lowercaseNames bool
	createUpsert   bool
	silentMissing  bool
	latency        time.Duration

	rate rateLimiter

	oauthApp       oauthApp
	strictRotation bool

	faults []*faultState
	rng    *mathrand.Rand

	requests      []*Request
	requestCounts map[string]int
	stats         stats

	statePath string
	saveMu    sync.Mutex

	ridPrefix string
	ridSeq    atomic.Uint64

	closed    chan struct{}
	closeOnce sync.Once
}

// adAccount holds the custom events of one ad account in creation order.
type adAccount struct {
	events []Event
	cloned bool
}

// stats are the counters served at /_emulator/stats.
type stats struct {
	byMethod  map[string]int
	throttled int
	total     int
}

// New returns an emulator that accepts opts.Token with both scopes. It panics when
// opts.Token is empty, because an emulator nobody can call is a setup mistake.
func New(opts Options) *Emulator {
	if opts.Token == "" {
		panic("emulator: Options.Token is required")
	}
	seed := opts.Seed
	if seed == 0 {
		seed = defaultSeed
	}
	e := &Emulator{
		tokens:        map[string]map[string]bool{},
		accounts:      map[string]*adAccount{},
		denied:        map[string]bool{},
		rng:           mathrand.New(mathrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		requestCounts: map[string]int{},
		stats:         stats{byMethod: map[string]int{}},
		ridPrefix:     randomHex(4),
		closed:        make(chan struct{}),
	}
	e.rate.windows = map[string]*rateWindow{}
	e.oauthApp.refreshTokens = map[string]bool{}
	e.AddToken(opts.Token, ScopeAdsRead, ScopeAdsWrite)
	return e
}

// AddToken makes token a valid access token with the given scopes, replacing any scopes it
// had before.
func (e *Emulator) AddToken(token string, scopes ...string) {
	set := map[string]bool{}
	for _, s := range scopes {
		set[s] = true
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[token] = set
}

// Seed stores events in an ad account as they are, bypassing validation and the limit, so
// tests can set up read-only mapping types, null mappings or more events than allowed. An
// event whose name matches a stored one (ignoring case) replaces it in place.
func (e *Emulator) Seed(adAccountID string, events ...Event) {
	e.mu.Lock()
	defer e.mu.Unlock()

	acct := e.account(adAccountID)
	for _, ev := range events {
		ev = copyEvent(ev)
		if i := acct.find(ev.Name); i >= 0 {
			acct.events[i] = ev
			continue
		}
		acct.events = append(acct.events, ev)
	}
}

// Events returns a copy of the events stored for an ad account, in creation order.
func (e *Emulator) Events(adAccountID string) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()

	return e.eventsLocked(adAccountID)
}

// SetCloned marks an ad account as cloned from a parent, which makes its custom events
// read-only: update and untrack then fail for every event.
func (e *Emulator) SetCloned(adAccountID string, cloned bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.account(adAccountID).cloned = cloned
}

// DenyAccount makes every API call on an ad account answer 403 with code 29, as Pinterest
// does for an account the token's user may not access.
func (e *Emulator) DenyAccount(adAccountID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.denied[adAccountID] = true
}

// SetLowercaseNames makes the list call answer names lower-cased, one of the plausible ways
// Pinterest may normalise case-insensitive names.
func (e *Emulator) SetLowercaseNames(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lowercaseNames = on
}

// SetCreateUpsert makes create of an existing name update its mapping and succeed instead of
// failing with duplicate_event_name.
func (e *Emulator) SetCreateUpsert(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.createUpsert = on
}

// SetSilentMissing makes update and untrack of a name that does not exist succeed instead of
// failing with event_not_found.
func (e *Emulator) SetSilentMissing(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.silentMissing = on
}

// SetLatency adds d to every API request. A request whose client goes away while waiting
// is dropped unanswered and unapplied.
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.latency = d
}

// SetStatePath makes the emulator save its state to path, atomically, after every API call
// that changed it. An empty path turns saving off. It does not load the file: call LoadState
// first to resume from it.
func (e *Emulator) SetStatePath(path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.statePath = path
}

// Close releases requests held by the hang fault and by latency. The emulator still answers
// afterwards, so it can be closed before the server that hosts it.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() { close(e.closed) })
}

// Requests returns a copy of the most recent API requests, oldest first. OAuth and admin
// requests are not included.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()

	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		out[i] = *r
		out[i].Body = append([]byte(nil), r.Body...)
	}
	return out
}

// RequestCount returns how many API requests used method since the last ResetRequests; an
// empty method counts them all.
func (e *Emulator) RequestCount(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()

	if method == "" {
		n := 0
		for _, c := range e.requestCounts {
			n += c
		}
		return n
	}
	return e.requestCounts[strings.ToUpper(method)]
}

// ResetRequests forgets the recorded requests and zeroes RequestCount. The counters served
// at /_emulator/stats are separate and are reset through that endpoint.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
	e.requestCounts = map[string]int{}
}

// ServeHTTP routes a request to the events API, the OAuth token endpoint or the admin routes.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Pinterest-Rid", e.nextRequestID())
	w.Header().Set("Content-Type", "application/json")

	switch {
	case strings.HasPrefix(r.URL.Path, adminPrefix):
		e.serveAdmin(w, r)
	case r.URL.Path == tokenPath:
		e.serveToken(w, r)
	default:
		e.serveAPI(w, r)
	}
}

// account returns the ad account, creating it empty. The caller holds e.mu.
func (e *Emulator) account(id string) *adAccount {
	acct, ok := e.accounts[id]
	if !ok {
		acct = &adAccount{}
		e.accounts[id] = acct
	}
	return acct
}

// eventsLocked copies the events of an ad account. The caller holds e.mu.
func (e *Emulator) eventsLocked(id string) []Event {
	out := []Event{}
	if acct, ok := e.accounts[id]; ok {
		for _, ev := range acct.events {
			out = append(out, copyEvent(ev))
		}
	}
	return out
}

// find returns the index of the event named name, ignoring case, or -1.
func (a *adAccount) find(name string) int {
	for i, ev := range a.events {
		if strings.EqualFold(ev.Name, name) {
			return i
		}
	}
	return -1
}

// copyEvent returns ev with its own copy of the mapping, so callers cannot alias stored data.
func copyEvent(ev Event) Event {
	if ev.MappingType != nil {
		ev.MappingType = String(*ev.MappingType)
	}
	return ev
}

// nextRequestID returns an id unique within this emulator and unlikely to repeat across runs.
func (e *Emulator) nextRequestID() string {
	return fmt.Sprintf("%s%012x", e.ridPrefix, e.ridSeq.Add(1))
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
