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
	s.inside++
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
	s.inside--
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

// settleTime is how long announcements must have been quiet before a batch is sent
// early while fewer operations are under way than Terraform has shown it runs at once.
// Terraform starts its concurrent operations one after another, a few milliseconds
// apart, so without it the first to arrive would always go alone.
const settleTime = 20 * time.Millisecond

// terraformParallelism is Terraform's default -parallelism, the number of operations
// expected at once until more have been seen.
const terraformParallelism = 10

// flushIfIdle sends every gathering batch when all the operations announced wait in the
// store and no more are expected: either as many are under way as Terraform has shown
// it runs at once, or none has been announced for settleTime. Waiting for the window
// then would only add delay. Without announced operations there is nothing to go by, so
// the window decides. The caller holds s.ops.
func (s *Store) flushIfIdle() {
	if s.active == 0 || s.inside < s.active {
		return
	}
	if s.active < max(s.most, terraformParallelism) {
		if wait := settleTime - time.Since(s.lastBegin); wait > 0 {
			if s.settleTimer == nil {
				s.settleTimer = time.AfterFunc(wait, func() {
					s.ops.Lock()
					defer s.ops.Unlock()
					s.settleTimer = nil
					s.flushIfIdle()
				})
			}
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		for _, b := range a.pending {
			if b != nil {
				s.send(a, b)
			}
		}
	}
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
				s.inside--
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
