package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const (
	testAppID     = "1234567"
	testAppSecret = "app-secret-value"
	testRefresh   = "pinr_configured-refresh-token"
)

// exchange posts a refresh-token grant to the token endpoint.
func exchange(t *testing.T, srv *httptest.Server, id, secret string, form url.Values) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v5/oauth/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" || secret != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func refreshForm(token string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
}

func newOAuthServer(t *testing.T) (*Emulator, *httptest.Server) {
	t.Helper()
	emu, srv := newTestServer(t)
	emu.SetOAuthApp(testAppID, testAppSecret, testRefresh)
	return emu, srv
}

func TestOAuth_exchange(t *testing.T) {
	emu, srv := newOAuthServer(t)

	r := exchange(t, srv, testAppID, testAppSecret, refreshForm(testRefresh))

	wantStatus(t, r, http.StatusOK)
	tok := decode[tokenAnswer](t, r)
	if tok.AccessToken == "" || tok.AccessToken == testToken || tok.TokenType != "bearer" ||
		tok.ExpiresIn != 2592000 || tok.RefreshToken == "" || tok.RefreshToken == testRefresh ||
		tok.RefreshTokenExpiresIn != 5184000 || tok.Scope != "ads:read,ads:write" {
		t.Errorf("token answer = %+v", tok)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	for _, secret := range []string{testAppSecret, testRefresh} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("answer echoes a secret: %s", r.body)
		}
	}

	// The new access token carries both scopes.
	wantStatus(t, call{method: "GET", token: tok.AccessToken}.mustSend(t, srv), 200)
	wantItems(t, call{method: "POST", token: tok.AccessToken, body: itemsBody("ev=LEAD")}.
		mustSend(t, srv), "ev:success")

	// The rotated refresh token works, and so does the configured one.
	r2 := exchange(t, srv, testAppID, testAppSecret, refreshForm(tok.RefreshToken))
	wantStatus(t, r2, http.StatusOK)
	r3 := exchange(t, srv, testAppID, testAppSecret, refreshForm(testRefresh))
	wantStatus(t, r3, http.StatusOK)
	if a, b := decode[tokenAnswer](t, r2), decode[tokenAnswer](t, r3); a.AccessToken ==
		b.AccessToken || a.RefreshToken == b.RefreshToken {
		t.Error("exchanges returned the same tokens")
	}
	if n := emu.RequestCount(""); n != 2 {
		t.Errorf("RequestCount = %d; token calls must not count as API requests", n)
	}
}

func TestOAuth_strictRotation(t *testing.T) {
	emu, srv := newOAuthServer(t)
	emu.SetStrictRotation(true)

	r := exchange(t, srv, testAppID, testAppSecret, refreshForm(testRefresh))
	wantStatus(t, r, http.StatusOK)
	tok := decode[tokenAnswer](t, r)

	wantError(t, exchange(t, srv, testAppID, testAppSecret, refreshForm(testRefresh)),
		http.StatusBadRequest, codeInvalidParameters, "refresh_token")
	r = exchange(t, srv, testAppID, testAppSecret, refreshForm(tok.RefreshToken))
	wantStatus(t, r, http.StatusOK)
	wantError(t, exchange(t, srv, testAppID, testAppSecret, refreshForm(tok.RefreshToken)),
		http.StatusBadRequest, codeInvalidParameters)
}

func TestOAuth_errors(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		secret string
		form   url.Values
		status int
		code   int
	}{
		{"no credentials", "", "", refreshForm(testRefresh), 401, codeAuthFailed},
		{"wrong secret", testAppID, "nope", refreshForm(testRefresh), 401, codeAuthFailed},
		{"wrong app id", "999", testAppSecret, refreshForm(testRefresh), 401, codeAuthFailed},
		{"unknown refresh token", testAppID, testAppSecret, refreshForm("pinr_unknown"), 400,
			codeInvalidParameters},
		{"empty refresh token", testAppID, testAppSecret, refreshForm(""), 400,
			codeInvalidParameters},
		{"wrong grant type", testAppID, testAppSecret, url.Values{
			"grant_type": {"client_credentials"}, "refresh_token": {testRefresh}}, 400,
			codeInvalidParameters},
		{"no grant type", testAppID, testAppSecret,
			url.Values{"refresh_token": {testRefresh}}, 400, codeInvalidParameters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newOAuthServer(t)

			r := exchange(t, srv, tt.id, tt.secret, tt.form)

			wantError(t, r, tt.status, tt.code)
			for _, secret := range []string{testAppSecret, testRefresh, "pinr_unknown"} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("error echoes a secret: %s", r.body)
				}
			}
		})
	}
}

func TestOAuth_notConfigured(t *testing.T) {
	_, srv := newTestServer(t)

	r := exchange(t, srv, "", "", refreshForm("x"))

	wantError(t, r, http.StatusUnauthorized, codeAuthFailed)
}

func TestOAuth_formRequired(t *testing.T) {
	_, srv := newOAuthServer(t)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v5/oauth/token",
		strings.NewReader(`{"grant_type":"refresh_token"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(testAppID, testAppSecret)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)

	wantError(t, reply{status: resp.StatusCode, body: b}, 400, codeInvalidParameters,
		"Content-Type")
}
