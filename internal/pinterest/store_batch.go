package pinterest

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// writeKind is the kind of a write, each of which has its own request.
type writeKind int

const (
	writeCreate writeKind = iota
	writeUpdate
	writeUntrack
	numWriteKinds
)

func (k writeKind) String() string {
	switch k {
	case writeCreate:
		return "create"
	case writeUpdate:
		return "update"
	default:
		return "untrack"
	}
}

// writeState is where a pending write stands.
type writeState int

const (
	// writeQueued waits for an earlier write of the same name to complete.
	writeQueued writeState = iota
	// writeGathered is in a batch that has not been sent.
	writeGathered
	// writeSent is in a batch whose request is under way.
	writeSent
	// writeDone has its result.
	writeDone
)

// pendingWrite is one caller's write of one custom event. Its fields are guarded by the
// ad account's mutex; err is set before done closes.
type pendingWrite struct {
	kind  writeKind
	event Event
	key   string
	ctx   context.Context
	state writeState
	batch *writeBatch
	// gone is set when the caller stopped waiting after the batch was sent.
	gone bool
	done chan struct{}
	err  error
}

// writeBatch is the writes of one kind to one ad account that go in one request.
type writeBatch struct {
	kind   writeKind
	writes []*pendingWrite
	timer  *time.Timer
	// waiting counts the callers still waiting for the sent request; the request is
	// cancelled when it drops to zero.
	waiting int
	cancel  context.CancelFunc
}

// write carries out one write, alone or in a batch.
func (s *Store) write(ctx context.Context, adAccountID string, kind writeKind, e Event) error {
	if !s.batching {
		res, err := s.call(ctx, adAccountID, kind, []Event{e})
		if s.sharing {
			a := s.state(adAccountID)
			a.mu.Lock()
			a.wrote()
			a.mu.Unlock()
		}
		return first(res, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	a := s.state(adAccountID)
	w := &pendingWrite{kind: kind, event: e, key: NameKey(e.Name), ctx: ctx,
		done: make(chan struct{})}
	a.mu.Lock()
	s.enter(a)
	queue := a.queues[w.key]
	a.queues[w.key] = append(queue, w)
	if len(queue) == 0 {
		s.gather(a, w)
	}
	s.flushIfIdle()
	a.mu.Unlock()

	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	switch w.state {
	case writeDone:
		return w.err
	case writeQueued:
		// Never the oldest of its queue, so no later write waits for it.
		a.queues[w.key] = slices.DeleteFunc(a.queues[w.key], func(o *pendingWrite) bool {
			return o == w
		})
	case writeGathered:
		b := w.batch
		b.writes = slices.DeleteFunc(b.writes, func(o *pendingWrite) bool { return o == w })
		if len(b.writes) == 0 {
			b.timer.Stop()
			a.pending[b.kind] = nil
		}
		s.completed(a, w)
	case writeSent:
		w.gone = true
		w.batch.waiting--
		if w.batch.waiting == 0 {
			w.batch.cancel()
		}
	}
	s.leave(a)
	s.flushIfIdle()
	return ctx.Err()
}

// gather adds the write to the batch of its kind that is gathering, opening one when
// there is none, and sends the batch once it is full.
func (s *Store) gather(a *adAccountState, w *pendingWrite) {
	b := a.pending[w.kind]
	if b == nil {
		b = &writeBatch{kind: w.kind}
		b.timer = time.AfterFunc(s.window, func() { s.windowEnded(a, b) })
		a.pending[w.kind] = b
	}
	w.state, w.batch = writeGathered, b
	b.writes = append(b.writes, w)
	if len(b.writes) >= s.maxBatch {
		s.send(a, b)
	}
}

// windowEnded sends the batch when its window is over, unless it has gone already.
func (s *Store) windowEnded(a *adAccountState, b *writeBatch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending[b.kind] == b {
		s.send(a, b)
	}
}

// terraformParallelism is Terraform's default -parallelism, the number of operations
// expected at once until more have been seen.
const terraformParallelism = 10

// recentAnnouncements is how many of the latest announcements tell which ad accounts
// Terraform is working on.
const recentAnnouncements = 20

// flushIfIdle sends the gathering batches of every ad account whose announced
// operations all wait in the store, as soon as no more are expected there. That is when
//   - every operation of the process waits in the store and there are as many as
//     Terraform has shown it runs at once: nothing else can start;
//   - fewer than one more operation is expected on the ad account: Terraform may start
//     as many operations as it has free slots, and the ad account's share of the latest
//     announcements says how many of them would be its own. When Terraform interleaves
//     many ad accounts, that is well under one, and waiting would only delay each write;
//   - or no operation was announced on the ad account for the settle time.
//
// Otherwise a timer looks again when the settle time is over. Batches of callers that
// never announced themselves wait for their window. The caller holds s.ops.
func (s *Store) flushIfIdle() {
	slots := max(s.most, terraformParallelism)
	full := s.load.idle() && s.load.active >= slots
	var recheck time.Duration
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if !a.gathering() || !a.load.idle() {
			continue
		}
		wait := s.settle - time.Since(a.lastBegin)
		if full || wait <= 0 || float64(slots-s.load.active)*s.share(a) < 1 {
			for _, b := range a.pending {
				if b != nil {
					s.send(a, b)
				}
			}
			continue
		}
		if recheck == 0 || wait < recheck {
			recheck = wait
		}
	}
	if recheck > 0 && s.settleTimer == nil {
		s.settleTimer = time.AfterFunc(recheck, func() {
			s.ops.Lock()
			defer s.ops.Unlock()
			s.settleTimer = nil
			s.flushIfIdle()
		})
	}
}

// share returns the part of the latest announcements that were for the ad account.
func (s *Store) share(a *adAccountState) float64 {
	seen := min(s.next, recentAnnouncements)
	if seen == 0 {
		return 0
	}
	n := 0
	for _, r := range s.recent[:seen] {
		if r == a {
			n++
		}
	}
	return float64(n) / float64(seen)
}

// gathering reports whether a batch of the ad account waits to be sent.
func (a *adAccountState) gathering() bool {
	for _, b := range a.pending {
		if b != nil {
			return true
		}
	}
	return false
}

// send starts the batch's request. The request keeps the values of the first caller's
// context but is cancelled only when every caller has stopped waiting for it: one
// caller giving up must not fail the others.
func (s *Store) send(a *adAccountState, b *writeBatch) {
	b.timer.Stop()
	a.pending[b.kind] = nil
	ctx, cancel := context.WithCancel(context.WithoutCancel(b.writes[0].ctx))
	b.cancel = cancel
	b.waiting = len(b.writes)
	events := make([]Event, len(b.writes))
	for i, w := range b.writes {
		w.state = writeSent
		events[i] = w.event
	}

	go func() {
		results, err := s.call(ctx, a.id, b.kind, events)

		a.mu.Lock()
		defer a.mu.Unlock()
		cancel()
		a.wrote()
		for i, w := range b.writes {
			switch {
			case err != nil:
				w.err = err
			case i < len(results):
				w.err = results[i].Err
			default:
				w.err = fmt.Errorf("pinterest: the %s answer for ad account %s did not "+
					"report on custom event %q", b.kind, a.id, w.event.Name)
			}
			w.state = writeDone
			if !w.gone {
				s.leave(a)
			}
			close(w.done)
			s.completed(a, w)
		}
		s.flushIfIdle()
	}()
}

// completed removes a write that will not be sent again from the front of its name's
// queue, and lets the next write of that name join a batch.
func (s *Store) completed(a *adAccountState, w *pendingWrite) {
	queue := a.queues[w.key]
	if len(queue) == 0 || queue[0] != w {
		return
	}
	queue = queue[1:]
	if len(queue) == 0 {
		delete(a.queues, w.key)
		return
	}
	a.queues[w.key] = queue
	s.gather(a, queue[0])
}

// call makes the one request for the events.
func (s *Store) call(
	ctx context.Context, adAccountID string, kind writeKind, events []Event,
) ([]ItemResult, error) {
	switch kind {
	case writeCreate:
		return s.client.Create(ctx, adAccountID, events)
	case writeUpdate:
		return s.client.UpdateMappings(ctx, adAccountID, events)
	default:
		names := make([]string, len(events))
		for i, e := range events {
			names[i] = e.Name
		}
		return s.client.Untrack(ctx, adAccountID, names)
	}
}
