package emulator

import (
	"crypto/subtle"
	"mime"
	"net/http"
)

const tokenPath = "/v5/oauth/token"

// Lifetimes Pinterest reports for the tokens it issues, in seconds.
const (
	accessTokenLifetime  = 30 * 24 * 60 * 60
	refreshTokenLifetime = 60 * 24 * 60 * 60
)

// oauthApp is the one app whose refresh tokens the emulator exchanges.
type oauthApp struct {
	id            string
	secret        string
	refreshTokens map[string]bool
}

// tokenAnswer is the body of a successful token exchange.
type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
}

// SetOAuthApp configures the app credentials that the token endpoint accepts and makes
// refreshToken the only valid refresh token.
func (e *Emulator) SetOAuthApp(appID, appSecret, refreshToken string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.oauthApp = oauthApp{
		id:            appID,
		secret:        appSecret,
		refreshTokens: map[string]bool{refreshToken: true},
	}
}

// SetStrictRotation makes a refresh token single-use. By default a used refresh token stays
// valid, because Terraform starts the provider many times with the same configured token.
func (e *Emulator) SetStrictRotation(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.strictRotation = on
}

// serveToken exchanges a refresh token for a new access token and a rotated refresh token.
// Its answers never repeat a secret from the request.
func (e *Emulator) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Code: codeMethodNotAllowed,
			Message: "Method not allowed; the token endpoint takes POST."})
		return
	}
	w.Header().Set("Cache-Control", "no-store")

	id, secret, hasAuth := r.BasicAuth()
	e.mu.Lock()
	app := e.oauthApp
	e.mu.Unlock()
	if !hasAuth || app.id == "" || !equalSecret(id, app.id) || !equalSecret(secret, app.secret) {
		writeJSON(w, http.StatusUnauthorized, apiError{Code: codeAuthFailed,
			Message: "Authentication failed: invalid client credentials."})
		return
	}

	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusBadRequest, apiError{Code: codeInvalidParameters,
			Message: "Content-Type must be application/x-www-form-urlencoded."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Code: codeInvalidParameters,
			Message: "The request body is not a valid form."})
		return
	}
	if r.PostForm.Get("grant_type") != "refresh_token" {
		writeJSON(w, http.StatusBadRequest, apiError{Code: codeInvalidParameters,
			Message: "Invalid grant_type: only refresh_token is supported."})
		return
	}

	old := r.PostForm.Get("refresh_token")
	access, refresh := "pina_"+randomHex(24), "pinr_"+randomHex(24)
	e.mu.Lock()
	valid := old != "" && e.oauthApp.refreshTokens[old]
	if valid {
		if e.strictRotation {
			delete(e.oauthApp.refreshTokens, old)
		}
		e.oauthApp.refreshTokens[refresh] = true
		e.tokens[access] = map[string]bool{ScopeAdsRead: true, ScopeAdsWrite: true}
	}
	e.mu.Unlock()
	if !valid {
		writeJSON(w, http.StatusBadRequest, apiError{Code: codeInvalidParameters,
			Message: "Invalid refresh_token: it is unknown, expired or already used."})
		return
	}

	writeJSON(w, http.StatusOK, tokenAnswer{
		AccessToken:           access,
		TokenType:             "bearer",
		ExpiresIn:             accessTokenLifetime,
		RefreshToken:          refresh,
		RefreshTokenExpiresIn: refreshTokenLifetime,
		Scope:                 ScopeAdsRead + "," + ScopeAdsWrite,
	})
}

// equalSecret compares in constant time, as a real server would.
func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
