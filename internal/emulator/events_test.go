package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestList_emptyAccount(t *testing.T) {
	_, srv := newTestServer(t)

	r := call{method: http.MethodGet}.mustSend(t, srv)

	if r.status != http.StatusOK {
		t.Fatalf("status = %d; body %s", r.status, r.body)
	}
	if got := strings.TrimSpace(string(r.body)); got != `{"items":[]}` {
		t.Errorf("body = %s, want an empty items array", got)
	}
}

func TestList_creationOrderReadOnlyAndNullTypes(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount,
		Event{Name: "zeta", MappingType: String("LEAD")},
		Event{Name: "Alpha", MappingType: String("PAGE_LOAD")},
		Event{Name: "legacy", MappingType: nil},
		Event{Name: "app", MappingType: String("ADVERTISER_DEFINED_EVENT")},
	)

	r := call{method: http.MethodGet}.mustSend(t, srv)

	got := decode[listBody](t, r)
	want := []string{"zeta=LEAD", "Alpha=PAGE_LOAD", "legacy=null", "app=ADVERTISER_DEFINED_EVENT"}
	if strings.Join(names(got.Items), " ") != strings.Join(want, " ") {
		t.Errorf("list = %v, want %v", names(got.Items), want)
	}
	if !strings.Contains(string(r.body), `{"name":"legacy","mapped_conversion_type":null}`) {
		t.Errorf("null mapping not sent as JSON null: %s", r.body)
	}
}

// withBody fills in what each method needs to pass validation.
func withBody(c call) call {
	switch c.method {
	case http.MethodPost, http.MethodPatch:
		if c.body == "" {
			c.body = itemsBody("ev=LEAD")
		}
	case http.MethodDelete:
		if c.query == "" {
			c.query = "event_names=ev"
		}
	}
	return c
}

func TestAuth(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.AddToken("reader", ScopeAdsRead)
	emu.AddToken("writer", ScopeAdsWrite)
	emu.AddToken("nothing")

	tests := []struct {
		name   string
		call   call
		status int
		code   int
		msg    string
	}{
		{"no header", call{method: "GET", token: "-"}, 401, codeAuthFailed,
			"Authentication failed."},
		{"unknown token", call{method: "GET", token: "bogus"}, 401, codeAuthFailed,
			"Authentication failed."},
		{"basic scheme", call{method: "GET", auth: "Basic " + testToken}, 401, codeAuthFailed, ""},
		{"empty bearer", call{method: "GET", auth: "Bearer "}, 401, codeAuthFailed, ""},
		{"unknown token on create", call{method: "POST", token: "bogus"}, 401, codeAuthFailed, ""},
		{"unknown token on untrack", call{method: "DELETE", token: "bogus"}, 401,
			codeAuthFailed, ""},
		{"list without ads:read", call{method: "GET", token: "writer"}, 403, codeMissingScope,
			"ads:read"},
		{"create without ads:write", call{method: "POST", token: "reader"}, 403,
			codeMissingScope, "ads:write"},
		{"update without ads:write", call{method: "PATCH", token: "reader"}, 403,
			codeMissingScope, "ads:write"},
		{"untrack without ads:write", call{method: "DELETE", token: "reader"}, 403,
			codeMissingScope, "ads:write"},
		{"token without scopes", call{method: "GET", token: "nothing"}, 403, codeMissingScope,
			"ads:read"},
		{"list with ads:read", call{method: "GET", token: "reader"}, 200, 0, ""},
		{"create with ads:write", call{method: "POST", token: "writer"}, 200, 0, ""},
		{"lower-case scheme", call{method: "GET", auth: "bearer " + testToken}, 200, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := withBody(tt.call).mustSend(t, srv)

			if tt.status == http.StatusOK {
				if r.status != http.StatusOK {
					t.Fatalf("status = %d; body %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, tt.status, tt.code, tt.msg)
		})
	}
}

func TestAdAccountID(t *testing.T) {
	_, srv := newTestServer(t)

	tests := []struct {
		account string
		ok      bool
	}{
		{"1", true},
		{"123456789012345678", true},
		{"1234567890123456789", false},
		{"abc", false},
		{"12a4", false},
		{"-12", false},
		{"+12", false},
		{"1.5", false},
		{"%20123", false},
	}
	for _, tt := range tests {
		for _, method := range []string{"GET", "POST", "PATCH", "DELETE"} {
			t.Run(tt.account+"/"+method, func(t *testing.T) {
				r := withBody(call{method: method, path: eventsPathOf(tt.account)}).mustSend(t, srv)

				if tt.ok {
					if r.status != http.StatusOK {
						t.Fatalf("status = %d; body %s", r.status, r.body)
					}
					return
				}
				wantError(t, r, http.StatusBadRequest, codeInvalidParameters, "ad_account_id")
			})
		}
	}
}

func TestDenyAccount(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed("777", Event{Name: "ev", MappingType: String("LEAD")})
	emu.DenyAccount("777")

	for _, method := range []string{"GET", "POST", "PATCH", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			r := withBody(call{method: method, path: eventsPathOf("777")}).mustSend(t, srv)

			wantError(t, r, http.StatusForbidden, codeNotPermitted, "not permitted")
		})
	}
	wantEvents(t, emu, "777", "ev=LEAD")

	r := call{method: "GET"}.mustSend(t, srv)
	if r.status != http.StatusOK {
		t.Errorf("another ad account: status = %d", r.status)
	}
}

func TestBodyValidation(t *testing.T) {
	long := strings.Repeat("a", 101)
	tests := []struct {
		name        string
		body        string
		contentType string
		msg         []string
	}{
		{"malformed JSON", `{"items":[`, "", []string{"JSON"}},
		{"trailing garbage", itemsBody("ev=LEAD") + "x", "", []string{"JSON"}},
		{"not an object", `[]`, "", []string{"JSON"}},
		{"empty body", ``, "application/json", []string{"JSON"}},
		{"items of wrong type", `{"items":{}}`, "", []string{"JSON"}},
		{"name of wrong type", `{"items":[{"name":5,"mapped_conversion_type":"LEAD"}]}`, "",
			[]string{"JSON"}},
		{"missing items", `{}`, "", []string{"items"}},
		{"null items", `{"items":null}`, "", []string{"items"}},
		{"empty items", `{"items":[]}`, "", []string{"items", "at least 1"}},
		{"missing name", `{"items":[{"mapped_conversion_type":"LEAD"}]}`, "",
			[]string{"items[0].name"}},
		{"missing type", `{"items":[{"name":"ok"},{"name":"b"}]}`, "",
			[]string{"items[0].mapped_conversion_type"}},
		{"null type in second item",
			`{"items":[{"name":"a","mapped_conversion_type":"LEAD"},` +
				`{"name":"b","mapped_conversion_type":null}]}`,
			"", []string{"items[1].mapped_conversion_type"}},
		{"empty name", itemsBody("=LEAD"), "", []string{"items[0].name", "1 to 100"}},
		{"101 characters", itemsBody("ok=LEAD", long+"=LEAD"), "",
			[]string{"items[1].name", "1 to 100"}},
		{"space in name", itemsBody("has space=LEAD"), "", []string{"items[0].name"}},
		{"dot in name", itemsBody("a.b=LEAD"), "", []string{"items[0].name"}},
		{"non-ASCII name", itemsBody("café=LEAD"), "", []string{"items[0].name"}},
		{"read-only type", itemsBody("ev=PAGE_LOAD"), "",
			[]string{"items[0].mapped_conversion_type", "PAGE_LOAD"}},
		{"lower-case type", itemsBody("ev=lead"), "", []string{"items[0].mapped_conversion_type"}},
		{"empty type", itemsBody("ev="), "", []string{"items[0].mapped_conversion_type"}},
		{"CUSTOM type", itemsBody("ev=CUSTOM"), "", []string{"mapped_conversion_type"}},
		{"no content type", itemsBody("ev=LEAD"), "-", []string{"Content-Type"}},
		{"text/plain", itemsBody("ev=LEAD"), "text/plain", []string{"Content-Type"}},
		{"form", itemsBody("ev=LEAD"), "application/x-www-form-urlencoded",
			[]string{"Content-Type"}},
	}
	for _, method := range []string{"POST", "PATCH"} {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				emu, srv := newTestServer(t)
				emu.Seed(testAccount, Event{Name: "ev", MappingType: String("SIGNUP")},
					Event{Name: "ok", MappingType: String("SIGNUP")})

				r := call{method: method, body: tt.body, contentType: tt.contentType}.
					mustSend(t, srv)

				wantError(t, r, http.StatusBadRequest, codeInvalidParameters, tt.msg...)
				wantEvents(t, emu, testAccount, "ev=SIGNUP", "ok=SIGNUP")
			})
		}
	}
}

func TestBodyValidation_accepts(t *testing.T) {
	emu, srv := newTestServer(t)
	name100 := strings.Repeat("x", 100)

	r := call{method: "POST", body: itemsBody(name100 + "=LEAD")}.mustSend(t, srv)
	wantItems(t, r, name100+":success")

	r = call{method: "POST", body: itemsBody("Aa-_09=LEAD"),
		contentType: "application/json; charset=utf-8"}.mustSend(t, srv)
	wantItems(t, r, "Aa-_09:success")

	r = call{method: "POST",
		body: `{"items":[{"name":"extra","mapped_conversion_type":"LEAD","unknown":1}]}`}.
		mustSend(t, srv)
	wantItems(t, r, "extra:success")

	// Every writable type is accepted by create and by update.
	var creates []string
	for i, typ := range WritableMappingTypes[:12] {
		creates = append(creates, "t"+string(rune('a'+i))+"="+typ)
	}
	wantStatus(t, call{method: "POST", body: itemsBody(creates...)}.mustSend(t, srv), 200)
	for _, typ := range WritableMappingTypes {
		r := call{method: "PATCH", body: itemsBody("ta=" + typ)}.mustSend(t, srv)
		wantItems(t, r, "ta:success")
	}
	if got := len(WritableMappingTypes); got != 19 {
		t.Errorf("%d writable types, want 19", got)
	}
	if n := len(emu.Events(testAccount)); n != 15 {
		t.Errorf("%d events, want 15", n)
	}
}

func wantStatus(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

func TestUntrackValidation(t *testing.T) {
	tests := []struct {
		name  string
		query string
		msg   string
	}{
		{"no query", "", "event_names"},
		{"other parameter", "names=ev", "event_names"},
		{"empty", "event_names=", "event_names[0]"},
		{"empty element", "event_names=ev,,x", "event_names[1]"},
		{"trailing comma", "event_names=ev,", "event_names[1]"},
		{"bad character", "event_names=ev,a%20b", "event_names[1]"},
		{"too long", "event_names=" + strings.Repeat("n", 101), "event_names[0]"},
		{"repeated parameter", "event_names=ev&event_names=x", "comma-separated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, srv := newTestServer(t)
			emu.Seed(testAccount, Event{Name: "ev", MappingType: String("LEAD")})

			r := call{method: "DELETE", query: tt.query}.mustSend(t, srv)

			wantError(t, r, http.StatusBadRequest, codeInvalidParameters, tt.msg)
			wantEvents(t, emu, testAccount, "ev=LEAD")
		})
	}
}

func TestCreate(t *testing.T) {
	emu, srv := newTestServer(t)

	r := call{method: "POST", body: itemsBody("Checkout_Step=CHECKOUT", "lead=LEAD")}.
		mustSend(t, srv)

	wantItems(t, r, "Checkout_Step:success", "lead:success")
	wantEvents(t, emu, testAccount, "Checkout_Step=CHECKOUT", "lead=LEAD")
	got := decode[listBody](t, call{method: "GET"}.mustSend(t, srv))
	if strings.Join(names(got.Items), " ") != "Checkout_Step=CHECKOUT lead=LEAD" {
		t.Errorf("list = %v", names(got.Items))
	}
	wantEvents(t, emu, "1")
}

func TestCreate_caseInsensitiveDuplicates(t *testing.T) {
	emu, srv := newTestServer(t)

	r := call{method: "POST", body: itemsBody("Checkout_Step=CHECKOUT", "checkout_step=LEAD",
		"other=LEAD", "CHECKOUT_STEP=SIGNUP")}.mustSend(t, srv)

	wantItems(t, r, "Checkout_Step:success", "checkout_step:failure:duplicate_event_name",
		"other:success", "CHECKOUT_STEP:failure:duplicate_event_name")
	wantEvents(t, emu, testAccount, "Checkout_Step=CHECKOUT", "other=LEAD")

	r = call{method: "POST", body: itemsBody("OTHER=SIGNUP", "new=SEARCH")}.mustSend(t, srv)

	wantItems(t, r, "OTHER:failure:duplicate_event_name", "new:success")
	wantEvents(t, emu, testAccount, "Checkout_Step=CHECKOUT", "other=LEAD", "new=SEARCH")
}

func TestCreate_upsert(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount, Event{Name: "Checkout_Step", MappingType: String("CHECKOUT")})
	emu.SetCreateUpsert(true)

	r := call{method: "POST", body: itemsBody("checkout_step=LEAD", "new=SEARCH",
		"NEW=SIGNUP")}.mustSend(t, srv)

	wantItems(t, r, "checkout_step:success", "new:success", "NEW:success")
	wantEvents(t, emu, testAccount, "Checkout_Step=LEAD", "new=SIGNUP")

	emu.SetCreateUpsert(false)
	r = call{method: "POST", body: itemsBody("new=LEAD")}.mustSend(t, srv)
	wantItems(t, r, "new:failure:duplicate_event_name")
}

func TestCreate_limit(t *testing.T) {
	emu, srv := newTestServer(t)
	var seed []Event
	for i := range 13 {
		seed = append(seed, Event{Name: "seed" + string(rune('a'+i)), MappingType: String("LEAD")})
	}
	emu.Seed(testAccount, seed...)

	r := call{method: "POST", body: itemsBody("n1=LEAD", "seeda=LEAD", "n2=LEAD", "n3=LEAD",
		"n4=LEAD")}.mustSend(t, srv)

	wantItems(t, r, "n1:success", "seeda:failure:duplicate_event_name", "n2:success",
		"n3:failure:advertiser_event_limit_exceeded", "n4:failure:advertiser_event_limit_exceeded")
	if n := len(emu.Events(testAccount)); n != MaxEventsPerAdAccount {
		t.Fatalf("%d events, want %d", n, MaxEventsPerAdAccount)
	}

	// The limit is per ad account.
	wantItems(t, call{method: "POST", path: eventsPathOf("42"), body: itemsBody("n3=LEAD")}.
		mustSend(t, srv), "n3:success")

	// Untracking frees room.
	wantItems(t, call{method: "DELETE", query: "event_names=n1"}.mustSend(t, srv), "n1:success")
	wantItems(t, call{method: "POST", body: itemsBody("n3=LEAD", "n4=LEAD")}.mustSend(t, srv),
		"n3:success", "n4:failure:advertiser_event_limit_exceeded")

	// Updates are not limited.
	wantItems(t, call{method: "PATCH", body: itemsBody("n3=SIGNUP")}.mustSend(t, srv),
		"n3:success")
}

func TestCreate_limitCountsSeededOverflow(t *testing.T) {
	emu, srv := newTestServer(t)
	var seed []Event
	for i := range 20 {
		seed = append(seed, Event{Name: "s" + string(rune('a'+i)), MappingType: String("LEAD")})
	}
	emu.Seed(testAccount, seed...)

	wantItems(t, call{method: "POST", body: itemsBody("x=LEAD")}.mustSend(t, srv),
		"x:failure:advertiser_event_limit_exceeded")
	if n := len(decode[listBody](t, call{method: "GET"}.mustSend(t, srv)).Items); n != 20 {
		t.Errorf("list has %d events, want the 20 seeded", n)
	}
}

func TestUpdate(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount,
		Event{Name: "Checkout_Step", MappingType: String("CHECKOUT")},
		Event{Name: "legacy", MappingType: nil},
		Event{Name: "old", MappingType: String("PAGE_LOAD")},
	)

	r := call{method: "PATCH", body: itemsBody("CHECKOUT_STEP=LEAD", "missing=LEAD",
		"legacy=SIGNUP", "old=SEARCH")}.mustSend(t, srv)

	wantItems(t, r, "CHECKOUT_STEP:success", "missing:failure:event_not_found",
		"legacy:success", "old:success")
	wantEvents(t, emu, testAccount, "Checkout_Step=LEAD", "legacy=SIGNUP", "old=SEARCH")
}

func TestUpdate_silentMissing(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount, Event{Name: "ev", MappingType: String("CHECKOUT")})
	emu.SetSilentMissing(true)

	r := call{method: "PATCH", body: itemsBody("missing=LEAD", "EV=LEAD")}.mustSend(t, srv)

	wantItems(t, r, "missing:success", "EV:success")
	wantEvents(t, emu, testAccount, "ev=LEAD")
}

func TestUntrack(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount,
		Event{Name: "a", MappingType: String("LEAD")},
		Event{Name: "Bee", MappingType: String("LEAD")},
		Event{Name: "c", MappingType: String("LEAD")},
		Event{Name: "d", MappingType: nil},
	)

	r := call{method: "DELETE", query: "event_names=c,BEE,missing,c,d"}.mustSend(t, srv)

	wantItems(t, r, "c:success", "BEE:success", "missing:failure:event_not_found",
		"c:failure:event_not_found", "d:success")
	wantEvents(t, emu, testAccount, "a=LEAD")

	// An encoded comma is still a separator once the query is decoded.
	emu.Seed(testAccount, Event{Name: "e", MappingType: String("LEAD")})
	r = call{method: "DELETE", query: "event_names=" + url.QueryEscape("a,e")}.mustSend(t, srv)
	wantItems(t, r, "a:success", "e:success")
	wantEvents(t, emu, testAccount)
}

func TestUntrack_silentMissing(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount, Event{Name: "a", MappingType: String("LEAD")})
	emu.SetSilentMissing(true)

	r := call{method: "DELETE", query: "event_names=missing,A"}.mustSend(t, srv)

	wantItems(t, r, "missing:success", "A:success")
	wantEvents(t, emu, testAccount)
}

func TestUntrack_ignoresBody(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount, Event{Name: "a", MappingType: String("LEAD")})

	r := call{method: "DELETE", query: "event_names=a", body: "not json"}.mustSend(t, srv)

	wantItems(t, r, "a:success")
	wantEvents(t, emu, testAccount)
}

func TestClonedAccount(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.Seed(testAccount, Event{Name: "inherited", MappingType: String("LEAD")})
	emu.SetCloned(testAccount, true)

	wantItems(t, call{method: "PATCH", body: itemsBody("inherited=SIGNUP", "missing=LEAD")}.
		mustSend(t, srv),
		"inherited:failure:cloned_ad_account_events_read_only",
		"missing:failure:cloned_ad_account_events_read_only")
	wantItems(t, call{method: "DELETE", query: "event_names=inherited,missing"}.mustSend(t, srv),
		"inherited:failure:cloned_ad_account_events_read_only",
		"missing:failure:cloned_ad_account_events_read_only")
	wantEvents(t, emu, testAccount, "inherited=LEAD")

	// List and create behave normally.
	wantItems(t, call{method: "POST", body: itemsBody("own=SEARCH")}.mustSend(t, srv),
		"own:success")
	got := decode[listBody](t, call{method: "GET"}.mustSend(t, srv))
	if strings.Join(names(got.Items), " ") != "inherited=LEAD own=SEARCH" {
		t.Errorf("list = %v", names(got.Items))
	}

	// The switch is per ad account and can be turned off.
	wantItems(t, call{method: "DELETE", path: eventsPathOf("9"), query: "event_names=x"}.
		mustSend(t, srv), "x:failure:event_not_found")
	emu.SetCloned(testAccount, false)
	wantItems(t, call{method: "DELETE", query: "event_names=inherited"}.mustSend(t, srv),
		"inherited:success")
}

func TestLowercaseNames(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetLowercaseNames(true)

	wantItems(t, call{method: "POST", body: itemsBody("Checkout_Step=CHECKOUT")}.mustSend(t, srv),
		"Checkout_Step:success")

	got := decode[listBody](t, call{method: "GET"}.mustSend(t, srv))
	if strings.Join(names(got.Items), " ") != "checkout_step=CHECKOUT" {
		t.Errorf("list = %v, want the name lower-cased", names(got.Items))
	}
	// Storage keeps the case, and lookups still ignore it.
	wantEvents(t, emu, testAccount, "Checkout_Step=CHECKOUT")
	wantItems(t, call{method: "PATCH", body: itemsBody("Checkout_Step=LEAD")}.mustSend(t, srv),
		"Checkout_Step:success")
}

func TestRoutes(t *testing.T) {
	_, srv := newTestServer(t)

	tests := []struct {
		name   string
		call   call
		status int
		code   int
	}{
		{"unknown path", call{method: "GET", path: "/v5/nothing"}, 404, codeNotFound},
		{"root", call{method: "GET", path: "/"}, 404, codeNotFound},
		{"without version", call{method: "GET", path: "/ad_accounts/1/advertiser_defined_events"},
			404, codeNotFound},
		{"per-event path", call{method: "GET", path: eventsPathOf("1") + "/ev"}, 404, codeNotFound},
		{"trailing slash", call{method: "GET", path: eventsPathOf("1") + "/"}, 404, codeNotFound},
		{"PUT", call{method: "PUT", body: itemsBody("ev=LEAD")}, 405, codeMethodNotAllowed},
		{"OPTIONS", call{method: "OPTIONS"}, 405, codeMethodNotAllowed},
		{"GET token endpoint", call{method: "GET", path: "/v5/oauth/token"}, 405,
			codeMethodNotAllowed},
		{"POST stats", call{method: "POST", path: "/_emulator/stats"}, 405, codeMethodNotAllowed},
		{"unknown admin", call{method: "GET", path: "/_emulator/nothing"}, 404, codeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.call.mustSend(t, srv)

			wantError(t, r, tt.status, tt.code)
			if tt.status == 405 && r.header.Get("Allow") == "" {
				t.Errorf("405 without Allow header")
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetOAuthApp("app", "secret", "refresh")

	calls := []call{
		{method: "GET"},
		{method: "POST", body: itemsBody("ev=LEAD")},
		{method: "PATCH", body: itemsBody("ev=SIGNUP")},
		{method: "DELETE", query: "event_names=ev"},
		{method: "POST", body: "{"},
		{method: "GET", token: "bogus"},
		{method: "GET", path: "/v5/nothing"},
		{method: "PUT"},
		{method: "GET", path: "/_emulator/stats"},
		{method: "GET", path: "/_emulator/events/1"},
		{method: "POST", path: "/v5/oauth/token", token: "-"},
	}
	seen := map[string]bool{}
	for _, c := range calls {
		r := c.mustSend(t, srv)
		rid := r.header.Get("x-pinterest-rid")
		if rid == "" {
			t.Errorf("%s %s: no x-pinterest-rid", c.method, c.path)
		}
		if seen[rid] {
			t.Errorf("%s %s: request id %q repeated", c.method, c.path, rid)
		}
		seen[rid] = true
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type = %q", c.method, c.path, ct)
		}
	}
}

func TestRequests(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetOAuthApp("app", "secret", "refresh")
	body := itemsBody("ev=LEAD")

	call{method: "GET"}.mustSend(t, srv)
	call{method: "POST", body: body}.mustSend(t, srv)
	call{method: "DELETE", query: "event_names=ev"}.mustSend(t, srv)
	call{method: "GET", token: "bogus"}.mustSend(t, srv)
	call{method: "GET", path: "/_emulator/stats"}.mustSend(t, srv)
	call{method: "POST", path: "/v5/oauth/token", token: "-"}.mustSend(t, srv)

	got := emu.Requests()
	if len(got) != 4 {
		t.Fatalf("%d requests recorded, want 4 (no admin or OAuth): %+v", len(got), got)
	}
	want := []struct {
		method, query, body string
		status              int
	}{
		{"GET", "", "", 200},
		{"POST", "", body, 200},
		{"DELETE", "event_names=ev", "", 200},
		{"GET", "", "", 401},
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.RawQuery != w.query || string(g.Body) != w.body ||
			g.Status != w.status || g.Path != eventsPathOf(testAccount) || g.At.IsZero() {
			t.Errorf("request %d = %+v, want %+v", i, g, w)
		}
		if strings.Contains(string(g.Body)+g.RawQuery+g.Path, testToken) {
			t.Errorf("request %d holds the token", i)
		}
	}
	if n := emu.RequestCount(""); n != 4 {
		t.Errorf("RequestCount(\"\") = %d", n)
	}
	if n := emu.RequestCount("get"); n != 2 {
		t.Errorf("RequestCount(get) = %d", n)
	}
	if n := emu.RequestCount("PATCH"); n != 0 {
		t.Errorf("RequestCount(PATCH) = %d", n)
	}

	// Returned requests are copies.
	got[1].Body[0] = 'X'
	if emu.Requests()[1].Body[0] == 'X' {
		t.Error("Requests shares body storage")
	}

	emu.ResetRequests()
	if n := len(emu.Requests()); n != 0 || emu.RequestCount("") != 0 {
		t.Errorf("after reset: %d requests, count %d", n, emu.RequestCount(""))
	}
}

func TestSeedAndEventsCopy(t *testing.T) {
	emu := New(Options{Token: testToken})
	emu.Seed("1", Event{Name: "a", MappingType: String("LEAD")})
	emu.Seed("1", Event{Name: "A", MappingType: String("SIGNUP")},
		Event{Name: "b", MappingType: String("bogus type")})

	wantEvents(t, emu, "1", "A=SIGNUP", "b=bogus type")
	got := emu.Events("1")
	*got[0].MappingType = "CHANGED"
	got[1].Name = "changed"
	wantEvents(t, emu, "1", "A=SIGNUP", "b=bogus type")
}

func TestNew_requiresToken(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without a token did not panic")
		}
	}()
	New(Options{})
}

func TestBodyValidation_tooLarge(t *testing.T) {
	emu, srv := newTestServer(t)
	big := `{"items":[{"name":"a","mapped_conversion_type":"LEAD","pad":"` +
		strings.Repeat("x", maxBodyBytes) + `"}]}`

	wantError(t, call{method: "POST", body: big}.mustSend(t, srv), http.StatusBadRequest,
		codeInvalidParameters, "larger")
	wantError(t, call{method: "POST", body: big, token: "bogus"}.mustSend(t, srv),
		http.StatusUnauthorized, codeAuthFailed)
	wantEvents(t, emu, testAccount)
}
