package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

const (
	testAppID        = "1485692"
	testAppSecret    = "app-secret-9d8c7b6a5f"
	testRefreshToken = "refresh-token-1a2b3c4d5e"
)

// secretsConfig is a provider block and the resources that make it use every call:
// create, read, list, update and untrack. The credentials come from the environment,
// as they should: the test harness itself logs configurations at trace level.
func secretsConfig(emu *testEmulator, mapping string) string {
	return fmt.Sprintf(`
provider "pinterest" {
  base_url = %q
}

resource "pinterest_custom_event" "test" {
  ad_account_id          = %q
  name                   = "Secret_Keeper"
  mapped_conversion_type = %q
}

data "pinterest_custom_events" "all" {
  ad_account_id = pinterest_custom_event.test.ad_account_id
}
`, emu.baseURL, testAccount, mapping)
}

// TestAccProvider_refreshTokenLoginKeepsSecretsOutOfLogsAndState signs in with a
// refresh token, runs every operation with Terraform and the provider logging at trace
// level, and then searches the whole log and the state for the secrets.
func TestAccProvider_refreshTokenLoginKeepsSecretsOutOfLogsAndState(t *testing.T) {
	emu := newTestEmulator(t)
	emu.SetOAuthApp(testAppID, testAppSecret, testRefreshToken)
	t.Setenv(envRefreshToken, testRefreshToken)
	t.Setenv(envAppID, testAppID)
	t.Setenv(envAppSecret, testAppSecret)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	checkStateHasNoSecrets := func(s *terraform.State) error {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		for _, secret := range []string{testRefreshToken, testAppSecret, testToken} {
			if strings.Contains(string(raw), secret) {
				return fmt.Errorf("the state contains a secret")
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: secretsConfig(emu, "LEAD"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Secret_Keeper", "LEAD"),
					checkStateHasNoSecrets,
				),
			},
			{
				Config: secretsConfig(emu, "CONTACT"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Secret_Keeper", "CONTACT"),
					checkStateHasNoSecrets,
				),
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	log := string(raw)
	// The log must be the real thing, or searching it proves nothing.
	for _, want := range []string{"Pinterest request", "request_id", "attempt", "ApplyResourceChange"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the trace log (%d bytes) lacks %q; was logging on?", len(raw), want)
		}
	}
	for name, secret := range map[string]string{
		"refresh token": testRefreshToken, "app secret": testAppSecret,
		"an Authorization header": "Bearer ",
	} {
		if strings.Contains(log, secret) {
			t.Errorf("the trace log contains %s", name)
		}
	}
}

func TestAccProvider_accessTokenStaysOutOfLogs(t *testing.T) {
	emu := newTestEmulator(t)
	t.Setenv(envAccessToken, testToken)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: fmt.Sprintf("provider \"pinterest\" {\n  base_url = %q\n}\n", emu.baseURL) +
				eventConfig(testAccount, "Quiet", "SEARCH")},
		},
	})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(raw), "Pinterest request") {
		t.Fatalf("the trace log (%d bytes) has no request lines; was logging on?", len(raw))
	}
	if strings.Contains(string(raw), testToken) {
		t.Error("the trace log contains the access token")
	}
}

func TestAccProvider_userAgentNamesProviderAndTerraform(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: emu.providerConfig() + eventConfig(testAccount, "Agent", "SEARCH")},
		},
	})
	emu.mu.Lock()
	defer emu.mu.Unlock()
	for ua := range emu.userAgents {
		if !strings.HasPrefix(ua, "terraform-provider-pinterest/test Terraform/1.") {
			t.Errorf("User-Agent %q does not name the provider, its version and Terraform's", ua)
		}
	}
	if len(emu.userAgents) == 0 {
		t.Error("no request reached the emulator")
	}
}
