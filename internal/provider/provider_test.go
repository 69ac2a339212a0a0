package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// testToken is the emulator's access token in tests; it must never appear in output.
const testToken = "test-token-3f9a7c1e5b"

// testAccount is the ad account most tests use.
const testAccount = "549755885175"

// protoV6ProviderFactories serve the provider in-process to the Terraform CLI.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"pinterest": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain gives Terraform a CLI configuration of its own: the machine's may point at a
// file that does not exist, or carry dev_overrides that would hide the provider under test.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pinterest-provider-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, []byte("# empty: no overrides, no credentials\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testEmulator is an emulator on a loopback port for one test.
type testEmulator struct {
	*emulator.Emulator
	baseURL string

	mu sync.Mutex
	// userAgents counts the User-Agent headers the emulator received.
	userAgents map[string]int
}

// newTestEmulator starts an emulator for the test and clears the environment variables
// that could make the provider talk to anything else.
func newTestEmulator(t testing.TB) *testEmulator {
	t.Helper()
	for _, env := range []string{envAccessToken, envRefreshToken, envAppID, envAppSecret,
		envBaseURL, envAdAccountID, envMaxRetries, envRequestTimeout, envMaxConcurrent} {
		t.Setenv(env, "")
	}
	emu := &testEmulator{
		Emulator:   emulator.New(emulator.Options{Token: testToken, Seed: 1}),
		userAgents: map[string]int{},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emu.mu.Lock()
		emu.userAgents[r.UserAgent()]++
		emu.mu.Unlock()
		emu.Emulator.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		emu.Close()
		srv.Close()
	})
	emu.baseURL = srv.URL + "/v5"
	return emu
}

// providerConfig is a provider block pointing at the emulator, with extra settings.
func (e *testEmulator) providerConfig(extra ...string) string {
	return fmt.Sprintf(`
provider "pinterest" {
  base_url      = %q
  access_token  = %q
  %s
}
`, e.baseURL, testToken, strings.Join(extra, "\n  "))
}

// writes counts the requests that could change an ad account.
func (e *testEmulator) writes() int {
	return e.RequestCount(http.MethodPost) + e.RequestCount(http.MethodPatch) +
		e.RequestCount(http.MethodDelete)
}

// hasEvent reports whether the emulator holds an event of that name, in any case, and
// its mapping.
func (e *testEmulator) event(account, name string) (emulator.Event, bool) {
	for _, ev := range e.Events(account) {
		if strings.EqualFold(ev.Name, name) {
			return ev, true
		}
	}
	return emulator.Event{}, false
}

// untrackOutOfBand removes an event through the API, as a person in Ads Manager would.
func (e *testEmulator) untrackOutOfBand(t *testing.T, account, name string) {
	t.Helper()
	e.call(t, http.MethodDelete, account, "?event_names="+name, "")
}

// remapOutOfBand changes an event's mapping through the API.
func (e *testEmulator) remapOutOfBand(t *testing.T, account, name, mapping string) {
	t.Helper()
	e.call(t, http.MethodPatch, account, "",
		fmt.Sprintf(`{"items":[{"name":%q,"mapped_conversion_type":%q}]}`, name, mapping))
}

func (e *testEmulator) call(t *testing.T, method, account, query, body string) {
	t.Helper()
	url := e.baseURL + "/ad_accounts/" + account + "/advertiser_defined_events" + query
	req, err := http.NewRequestWithContext(context.Background(), method, url,
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d", method, url, resp.StatusCode)
	}
}

// checkDestroyed asserts that the emulator holds none of the custom events left in
// Terraform's state.
func (e *testEmulator) checkDestroyed(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "pinterest_custom_event" {
			continue
		}
		account, name := rs.Primary.Attributes["ad_account_id"], rs.Primary.Attributes["name"]
		if _, ok := e.event(account, name); ok {
			return fmt.Errorf("custom event %s/%s still tracked after destroy", account, name)
		}
	}
	return nil
}
