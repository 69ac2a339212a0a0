package pinterest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Classes of failure. Every error the client returns for a failed call or a failed
// event matches at most one of these with errors.Is, so callers can react without
// parsing text.
var (
	// ErrAuthentication means the access token was missing, expired or refused.
	ErrAuthentication = errors.New("authentication failed")
	// ErrPermission means the token lacks a scope or may not act on the ad account.
	ErrPermission = errors.New("permission denied")
	// ErrNotFound means the ad account or path does not exist for this token.
	ErrNotFound = errors.New("not found")
	// ErrRateLimited means Pinterest throttled the call; it is worth retrying later.
	ErrRateLimited = errors.New("rate limited")
	// ErrSpam means Pinterest refused the call as spam; retrying does not help.
	ErrSpam = errors.New("refused as spam")
	// ErrEventLimit means the ad account already holds the most custom events allowed.
	ErrEventLimit = errors.New("custom event limit reached")
	// ErrClonedAccount means the ad account was cloned and its events are read-only.
	ErrClonedAccount = errors.New("ad account is cloned")
	// ErrDuplicateName means an event of that name, in any case, already exists.
	ErrDuplicateName = errors.New("duplicate event name")
	// ErrEventNotFound means an update or untrack named an event the account lacks.
	ErrEventNotFound = errors.New("custom event not found")
	// ErrInvalidInput means Pinterest refused the request's content.
	ErrInvalidInput = errors.New("invalid input")
	// ErrServer means Pinterest failed on its side (5xx) or answered with nonsense.
	ErrServer = errors.New("server error")
)

// APIError is a whole request that failed: an HTTP status other than 2xx, or a 2xx
// whose body could not be read. It keeps Pinterest's own code, message and request id.
type APIError struct {
	Method     string
	Path       string
	StatusCode int
	// Code is Pinterest's numeric error code; 0 when the body carried none.
	Code int
	// Message is Pinterest's own text, or a description of what was wrong with the answer.
	Message string
	// RequestID is the x-pinterest-rid header, which Pinterest support asks for.
	RequestID string
	// RetryAfter is the wait the Retry-After header asked for; 0 when absent.
	RetryAfter time.Duration

	class error
}

// Error describes the failure in one line, with Pinterest's words last.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", code %d", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Is matches the error's class.
func (e *APIError) Is(target error) bool {
	return e.class != nil && target == e.class
}

// Class returns the sentinel error that the error matches, or nil.
func (e *APIError) Class() error {
	return e.class
}

// ItemError is one event that a create, update or untrack reported as failed inside an
// HTTP 200 answer.
type ItemError struct {
	Operation   string // "create", "update" or "untrack"
	AdAccountID string
	Name        string
	// Exceptions are Pinterest's exception strings for the event, as they came.
	Exceptions []string
	RequestID  string

	class error
}

// Error names the event and quotes Pinterest's exceptions.
func (e *ItemError) Error() string {
	reason := "no reason given"
	if len(e.Exceptions) > 0 {
		reason = strings.Join(e.Exceptions, ", ")
	}
	return fmt.Sprintf("%s of custom event %q in ad account %s failed: %s",
		e.Operation, e.Name, e.AdAccountID, reason)
}

// Is matches the error's class.
func (e *ItemError) Is(target error) bool {
	return e.class != nil && target == e.class
}

// classifyStatus picks the class of a whole-request failure. Pinterest documents only a
// few codes, so the message is consulted too for the cases that may arrive as a plain 400.
func classifyStatus(status, code int, message string) error {
	switch {
	case status == http.StatusTooManyRequests && mentionsSpam(message):
		return ErrSpam
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusUnauthorized || code == 2:
		return ErrAuthentication
	case status == http.StatusForbidden && classifyText(message) == ErrClonedAccount:
		return ErrClonedAccount
	case status == http.StatusForbidden:
		return ErrPermission
	case status == http.StatusNotFound:
		return ErrNotFound
	case status >= 500:
		return ErrServer
	}
	if c := classifyText(message); c != nil {
		return c
	}
	if status >= 400 {
		return ErrInvalidInput
	}
	return ErrServer
}

// classifyExceptions picks the class of a per-event failure from Pinterest's exception
// strings. Pinterest publishes no catalogue of them, so this matches on the words they
// are likely to contain rather than on exact strings.
func classifyExceptions(exceptions []string) error {
	for _, ex := range exceptions {
		if c := classifyText(ex); c != nil {
			return c
		}
	}
	return nil
}

// classifyText picks a class from the words of a message or exception string. Anything
// but letters and digits separates words, so that snake_case and kebab-case exception
// strings read like prose, and words are matched from their start, so that "parent"
// does not match "apparently".
func classifyText(s string) error {
	s = " " + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, strings.ToLower(s))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, " "+w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("duplicate", "already exist"):
		return ErrDuplicateName
	case has("clone", "inherit", "parent"):
		return ErrClonedAccount
	case has("limit", "exceed", "maximum", "too many"):
		return ErrEventLimit
	case has("not found", "does not exist", "unknown event", "no such"):
		return ErrEventNotFound
	case has("invalid", "malformed", "not allowed"):
		return ErrInvalidInput
	}
	return nil
}

func mentionsSpam(message string) bool {
	return strings.Contains(strings.ToLower(message), "spam")
}

// MayHaveSucceeded reports whether a failed write may still have been carried out by
// Pinterest: no answer came (a dropped connection, a timeout, a cancellation), or the
// answer was a server error or unreadable. A per-event failure, a refusal (4xx) and a
// token that could not be had are definite: nothing was changed.
func MayHaveSucceeded(err error) bool {
	if err == nil {
		return false
	}
	var item *ItemError
	if errors.As(err, &item) {
		return errors.Is(item.class, ErrServer)
	}
	var api *APIError
	if errors.As(err, &api) {
		if api.StatusCode == 0 {
			// The request never left: the token could not be had.
			return false
		}
		return api.StatusCode >= 500 || api.StatusCode/100 == 2
	}
	return true
}
