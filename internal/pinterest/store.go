package pinterest

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of StoreOptions.
const (
	DefaultBatchWindow = 50 * time.Millisecond
	// DefaultSettle is how long the announcements of an ad account must have been quiet
	// before its batch goes early on that ground alone. Terraform starts concurrent
	// operations one after another, a few milliseconds apart (more on a busy machine),
	// so without it the first to arrive would always go alone.
	DefaultSettle   = 20 * time.Millisecond
	DefaultMaxBatch = 50
)

// Store offers one-event operations over the batch API, the way Terraform resources use
// it: one resource, one event. Terraform calls the provider once per resource, which
// would cost one request per custom event against rate limits counted per user and app;
// the Store can instead share one list request among all readers of an ad account and
// gather concurrent writes into one request per ad account and kind of write.
//
// Sharing and batching live in memory only: Terraform starts a new provider process for
// each phase, so nothing needs to outlive the process. A Store is safe for concurrent use.
type Store struct {
	client   *Client
	batching bool
	sharing  bool
	window   time.Duration
	settle   time.Duration
	maxBatch int

	mu       sync.Mutex
	accounts map[string]*adAccountState

	// ops guards every ad account's state and the counts below. One lock for all
	// accounts keeps the view of Terraform's operations whole: its -parallelism bounds
	// them across accounts, not per account.
	ops sync.Mutex
	// load counts the operations under way in the whole process; each ad account
	// counts its own too.
	load opCount
	// most is the largest number of operations seen under way at once.
	most int
	// recent holds the ad accounts of the latest announcements, newest at next-1, to
	// tell how much of Terraform's attention each ad account has.
	recent [recentAnnouncements]*adAccountState
	next   int
	// settleTimer, when set, looks again at the gathering batches once the
	// announcements of an ad account have been quiet for the settle time.
	settleTimer *time.Timer
}

// opCount follows the operations that may write. active counts those announced with
// Begin and not yet ended; inside counts the calls now waiting in the store, reads
// included, as an operation waiting for a list answer is not about to write either.
// Once every active operation is inside, no write is on its way. A caller that never
// announced itself still counts as inside, so it can make a batch go before a running
// operation joins it; that costs one more request, nothing else.
type opCount struct {
	active int
	inside int
}

// idle reports whether operations are under way and every one waits in the store.
func (c opCount) idle() bool {
	return c.active > 0 && c.inside >= c.active
}

// StoreOptions tunes a Store. The zero value turns batching and sharing off, so that
// every call is one request.
type StoreOptions struct {
	// Batching gathers concurrent writes of one kind to one ad account into one request.
	Batching bool
	// Sharing lets the readers of an ad account share one list request and its answer,
	// until the next write to that ad account.
	Sharing bool
	// Window is the longest the first write of a batch waits for others to join;
	// 0 means DefaultBatchWindow.
	Window time.Duration
	// Settle is how long an ad account's announcements must have been quiet for its
	// batch to go before the window ends; 0 means DefaultSettle.
	Settle time.Duration
	// MaxBatch is the most events one request carries; 0 means DefaultMaxBatch.
	MaxBatch int
}

// NewStore returns a Store over the client.
func NewStore(client *Client, opts StoreOptions) *Store {
	s := &Store{
		client:   client,
		batching: opts.Batching,
		sharing:  opts.Sharing,
		window:   opts.Window,
		settle:   opts.Settle,
		maxBatch: opts.MaxBatch,
		accounts: make(map[string]*adAccountState),
	}
	if s.window <= 0 {
		s.window = DefaultBatchWindow
	}
	if s.settle <= 0 {
		s.settle = DefaultSettle
	}
	if s.maxBatch <= 0 {
		s.maxBatch = DefaultMaxBatch
	}
	return s
}

// Client returns the client the store calls.
func (s *Store) Client() *Client { return s.client }

// adAccountState is what the Store knows of one ad account. Each has its own mutex so
// that work on different ad accounts never contends.
type adAccountState struct {
	id string
	// mu is the Store's ops lock, shared by every ad account.
	mu *sync.Mutex

	// load counts the operations under way on this ad account.
	load opCount
	// lastBegin is when the latest operation on this ad account was announced.
	lastBegin time.Time

	// gen counts the writes completed. A list answer fetched in an older generation may
	// predate a write, so it is never handed to a reader that arrives later.
	gen      uint64
	cache    []Event
	cached   bool
	cacheGen uint64
	listing  *sharedList

	// queues holds, per name key, the writes submitted and not yet completed, oldest
	// first. Only the oldest of each can be in a batch, which keeps writes to one event
	// in the order they came and any name out of a batch that holds it already.
	queues map[string][]*pendingWrite
	// pending holds, per kind of write, the batch still gathering, if any.
	pending [numWriteKinds]*writeBatch
}

// state returns the Store's state for the ad account, creating it on first use.
func (s *Store) state(adAccountID string) *adAccountState {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[adAccountID]
	if a == nil {
		a = &adAccountState{id: adAccountID, mu: &s.ops,
			queues: make(map[string][]*pendingWrite)}
		s.accounts[adAccountID] = a
	}
	return a
}

// Begin announces an operation on the ad account that will soon call the store, and
// returns the function that ends it. Knowing how many operations are under way lets a
// batch go as soon as all of them wait in the store, rather than after the whole window.
// Calling end more than once is harmless.
func (s *Store) Begin(adAccountID string) (end func()) {
	if !s.batching {
		return func() {}
	}
	a := s.state(adAccountID)
	s.ops.Lock()
	s.load.active++
	a.load.active++
	s.most = max(s.most, s.load.active)
	a.lastBegin = time.Now()
	s.recent[s.next%recentAnnouncements] = a
	s.next++
	s.ops.Unlock()

	var ended atomic.Bool
	return func() {
		if ended.Swap(true) {
			return
		}
		s.ops.Lock()
		s.load.active--
		a.load.active--
		s.flushIfIdle()
		s.ops.Unlock()
	}
}

// sharedList is one list request whose answer every reader that joins it receives.
type sharedList struct {
	gen     uint64
	readers int
	cancel  context.CancelFunc
	done    chan struct{}
	// finished, events and err are set under the ad account's mutex before done closes.
	finished bool
	events   []Event
	err      error
}

// Events returns the custom events of the ad account, in a slice the caller may modify.
func (s *Store) Events(ctx context.Context, adAccountID string) ([]Event, error) {
	if !s.sharing {
		if !s.batching {
			return s.client.List(ctx, adAccountID)
		}
		a := s.state(adAccountID)
		s.waitOutside(a)
		defer s.doneOutside(a)
		return s.client.List(ctx, adAccountID)
	}

	a := s.state(adAccountID)
	a.mu.Lock()
	if a.cached && a.cacheGen == a.gen {
		events := slices.Clone(a.cache)
		a.mu.Unlock()
		return events, nil
	}
	l := a.listing
	if l == nil || l.gen != a.gen {
		l = s.startList(ctx, a)
	}
	l.readers++
	s.enter(a)
	s.flushIfIdle()
	a.mu.Unlock()

	select {
	case <-l.done:
		return slices.Clone(l.events), l.err
	case <-ctx.Done():
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if l.finished {
		return slices.Clone(l.events), l.err
	}
	s.leave(a)
	l.readers--
	if l.readers == 0 {
		// Nobody is left to use the answer. A later reader starts afresh rather than
		// joining a request that is being cancelled.
		l.cancel()
		if a.listing == l {
			a.listing = nil
		}
	}
	return nil, ctx.Err()
}

// startList starts a list request for the current generation. The request keeps the
// values of the first reader's context but not its cancellation or deadline: it is
// cancelled only when every reader has gone, so it has no deadline of its own, as any
// would be earlier than that of some reader joining later.
func (s *Store) startList(ctx context.Context, a *adAccountState) *sharedList {
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &sharedList{gen: a.gen, cancel: cancel, done: make(chan struct{})}
	a.listing = l
	go func() {
		events, err := s.client.List(lctx, a.id)

		a.mu.Lock()
		defer a.mu.Unlock()
		cancel()
		l.finished, l.events, l.err = true, events, err
		for range l.readers {
			s.leave(a)
		}
		if a.listing == l {
			a.listing = nil
		}
		// Errors are not kept, so the next reader tries again.
		if err == nil && l.gen == a.gen {
			a.cache, a.cached, a.cacheGen = events, true, l.gen
		}
		close(l.done)
	}()
	return l
}

// wrote records that a write to the ad account completed, successfully or not: a
// failed or uncertain write may still have changed something, so whatever was read
// before it can no longer be trusted.
func (a *adAccountState) wrote() {
	a.gen++
	a.cache, a.cached = nil, false
}

// waitOutside and doneOutside count a call that does not take part in batching as
// waiting in the store, so that it does not hold back the batches of others.
func (s *Store) waitOutside(a *adAccountState) {
	a.mu.Lock()
	s.enter(a)
	s.flushIfIdle()
	a.mu.Unlock()
}

func (s *Store) doneOutside(a *adAccountState) {
	a.mu.Lock()
	s.leave(a)
	a.mu.Unlock()
}

// enter and leave count a call as waiting in the store, in the process and in its ad
// account. The caller holds s.ops.
func (s *Store) enter(a *adAccountState) {
	s.load.inside++
	a.load.inside++
}

func (s *Store) leave(a *adAccountState) {
	s.load.inside--
	a.load.inside--
}

// Create defines one custom event.
func (s *Store) Create(ctx context.Context, adAccountID string, e Event) error {
	return s.write(ctx, adAccountID, writeCreate, e)
}

// UpdateMapping changes the mapping of one custom event.
func (s *Store) UpdateMapping(ctx context.Context, adAccountID string, e Event) error {
	return s.write(ctx, adAccountID, writeUpdate, e)
}

// Untrack stops Pinterest tracking one custom event.
func (s *Store) Untrack(ctx context.Context, adAccountID, name string) error {
	return s.write(ctx, adAccountID, writeUntrack, Event{Name: name})
}

func first(res []ItemResult, err error) error {
	if err != nil {
		return err
	}
	if len(res) == 0 {
		return nil
	}
	return res[0].Err
}
