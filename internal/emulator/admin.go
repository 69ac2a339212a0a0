package emulator

import (
	"net/http"
	"strings"
)

const adminPrefix = "/_emulator/"

// statsBody is the answer of GET /_emulator/stats.
type statsBody struct {
	Requests  map[string]int `json:"requests"`
	Throttled int            `json:"throttled"`
	Total     int            `json:"total"`
}

// serveAdmin answers the unauthenticated routes that scripts use to inspect the emulator.
// They are not API requests: they are neither counted, recorded nor faulted.
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	switch {
	case path == "stats":
		if !allowMethod(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, e.statsSnapshot())
	case path == "reset-stats":
		if !allowMethod(w, r, http.MethodPost) {
			return
		}
		e.mu.Lock()
		e.stats = stats{byMethod: map[string]int{}}
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, e.statsSnapshot())
	case strings.HasPrefix(path, "events/") && !strings.Contains(path[len("events/"):], "/") &&
		len(path) > len("events/"):
		if !allowMethod(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, listBody{Items: e.Events(path[len("events/"):])})
	default:
		writeJSON(w, http.StatusNotFound, apiError{Code: codeNotFound,
			Message: "No admin route matches " + r.URL.Path + "."})
	}
}

// statsSnapshot copies the counters, always listing the four API methods.
func (e *Emulator) statsSnapshot() statsBody {
	e.mu.Lock()
	defer e.mu.Unlock()

	body := statsBody{
		Requests: map[string]int{
			http.MethodGet: 0, http.MethodPost: 0, http.MethodPatch: 0, http.MethodDelete: 0,
		},
		Throttled: e.stats.throttled,
		Total:     e.stats.total,
	}
	for m, n := range e.stats.byMethod {
		body.Requests[m] = n
	}
	return body
}

// allowMethod answers 405 unless r uses method.
func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeJSON(w, http.StatusMethodNotAllowed, apiError{Code: codeMethodNotAllowed,
		Message: "Method " + r.Method + " is not allowed here; use " + method + "."})
	return false
}
