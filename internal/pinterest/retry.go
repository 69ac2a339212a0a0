package pinterest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of RetryPolicy.
const (
	DefaultMaxRetries   = 8
	DefaultMinRetryWait = 500 * time.Millisecond
	DefaultMaxRetryWait = 30 * time.Second
)

// RetryPolicy says how often and after how long a failed attempt is tried again. Only
// throttling, server errors and lost connections are retried; nothing that would fail
// the same way again is.
type RetryPolicy struct {
	// MaxRetries is the number of attempts after the first; a negative value means none.
	// Zero means DefaultMaxRetries.
	MaxRetries int
	// MinWait is the first backoff step; zero means DefaultMinRetryWait.
	MinWait time.Duration
	// MaxWait caps one wait, Retry-After included; zero means DefaultMaxRetryWait.
	MaxWait time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	case p.MaxRetries == 0:
		p.MaxRetries = DefaultMaxRetries
	}
	if p.MinWait <= 0 {
		p.MinWait = DefaultMinRetryWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxRetryWait
	}
	if p.MaxWait < p.MinWait {
		p.MaxWait = p.MinWait
	}
	return p
}

// maxRetryAfter bounds the wait a Retry-After header can ask for; the caller's deadline
// usually ends a long wait first.
const maxRetryAfter = 15 * time.Minute

// wait returns how long to wait after the given failed attempt: the server's Retry-After
// when it sent one, which is honoured even beyond MaxWait, else exponential backoff with
// jitter capped by MaxWait.
func (p RetryPolicy) wait(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		// A little jitter keeps many waiting clients from returning in the same instant.
		w := retryAfter + rand.N(retryAfter/10+time.Millisecond)
		return min(w, maxRetryAfter)
	}
	ceiling := p.MinWait << min(attempt-1, 20)
	if ceiling <= 0 || ceiling > p.MaxWait {
		ceiling = p.MaxWait
	}
	// Half fixed, half random: never hammer at once, yet spread retries apart.
	return ceiling/2 + rand.N(ceiling/2+1)
}

// retryable reports whether another attempt may succeed where this one failed.
func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return true
	}
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrServer)
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
