package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	testToken   = "test-access-token"
	testAccount = "549755885175"
)

// newTestServer serves a fresh emulator.
func newTestServer(t *testing.T) (*Emulator, *httptest.Server) {
	t.Helper()
	emu := New(Options{Token: testToken})
	return emu, serve(t, emu)
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// call describes one request; zero fields take sensible defaults.
type call struct {
	method      string
	path        string // defaults to the events path of testAccount
	query       string
	body        string
	token       string // defaults to testToken; "-" sends no Authorization header
	auth        string // a verbatim Authorization header, overriding token
	contentType string // defaults to application/json when there is a body
	client      *http.Client
	ctx         context.Context
}

// serve serves emu and closes both when the test ends; the emulator first, so that hung
// requests do not hold the server's Close.
func serve(t *testing.T, emu *Emulator) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		emu.Close()
		srv.Close()
	})
	return srv
}

func eventsPathOf(account string) string {
	return "/v5/ad_accounts/" + account + "/advertiser_defined_events"
}

// send performs c against srv and returns the reply or the client error.
func (c call) send(t *testing.T, srv *httptest.Server) (reply, error) {
	t.Helper()
	path := c.path
	if path == "" {
		path = eventsPathOf(testAccount)
	}
	u := srv.URL + path
	if c.query != "" {
		u += "?" + c.query
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	switch {
	case c.auth != "":
		req.Header.Set("Authorization", c.auth)
	case c.token == "":
		req.Header.Set("Authorization", "Bearer "+testToken)
	case c.token == "-":
	default:
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	switch {
	case c.contentType == "-":
	case c.contentType != "":
		req.Header.Set("Content-Type", c.contentType)
	case c.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	client := c.client
	if client == nil {
		client = srv.Client()
	}
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{status: resp.StatusCode, header: resp.Header, body: b}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// mustSend performs c and fails the test on a client error.
func (c call) mustSend(t *testing.T, srv *httptest.Server) reply {
	t.Helper()
	r, err := c.send(t, srv)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	return r
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
	return v
}

// wantError checks a whole-request error answer.
func wantError(t *testing.T, r reply, status, code int, msgParts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	e := decode[apiError](t, r)
	if e.Code != code {
		t.Errorf("code = %d, want %d; body %s", e.Code, code, r.body)
	}
	for _, p := range msgParts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("message %q does not contain %q", e.Message, p)
		}
	}
}

// wantItems checks a 200 per-item answer; each want is "name:success" or
// "name:failure:exception".
func wantItems(t *testing.T, r reply, want ...string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	got := decode[writeBody](t, r)
	var gotS []string
	for _, it := range got.Items {
		s := it.Name + ":" + it.Status
		if len(it.Exceptions) > 0 {
			s += ":" + strings.Join(it.Exceptions, ",")
		}
		if it.Status == "success" && it.Exceptions != nil {
			t.Errorf("item %s: exceptions on success", it.Name)
		}
		gotS = append(gotS, s)
	}
	if strings.Join(gotS, " ") != strings.Join(want, " ") {
		t.Errorf("items = %v, want %v", gotS, want)
	}
	if bytes.Contains(r.body, []byte(`"exceptions":null`)) {
		t.Errorf("body has null exceptions: %s", r.body)
	}
}

// names lists event names and mappings as "name=TYPE" ("name=null" for no mapping).
func names(events []Event) []string {
	out := []string{}
	for _, ev := range events {
		m := "null"
		if ev.MappingType != nil {
			m = *ev.MappingType
		}
		out = append(out, ev.Name+"="+m)
	}
	return out
}

func wantEvents(t *testing.T, emu *Emulator, account string, want ...string) {
	t.Helper()
	got := names(emu.Events(account))
	if want == nil {
		want = []string{}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events of %s = %v, want %v", account, got, want)
	}
}

// itemsBody builds a create or update body from "name=TYPE" pairs.
func itemsBody(pairs ...string) string {
	type item struct {
		Name string `json:"name"`
		Type string `json:"mapped_conversion_type"`
	}
	var items []item
	for _, p := range pairs {
		n, typ, _ := strings.Cut(p, "=")
		items = append(items, item{n, typ})
	}
	b, _ := json.Marshal(map[string]any{"items": items})
	return string(b)
}
