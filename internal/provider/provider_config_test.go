package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccProvider_configErrorsSayHowToFix(t *testing.T) {
	emu := newTestEmulator(t)
	dataSource := `
data "pinterest_custom_events" "all" {
  ad_account_id = "549755885175"
}
`
	cases := map[string]struct {
		provider string
		want     string
	}{
		"no credentials": {`
provider "pinterest" {
  base_url = "` + emu.baseURL + `"
}
`, `(?s)Missing Pinterest Credentials.*PINTEREST_ACCESS_TOKEN`},
		"plain http to a remote host": {`
provider "pinterest" {
  base_url     = "http://api.pinterest.com/v5"
  access_token = "x"
}
`, `(?s)Invalid Pinterest Base URL.*unencrypted`},
		"refresh token without app": {`
provider "pinterest" {
  base_url      = "` + emu.baseURL + `"
  refresh_token = "r"
}
`, `(?s)Incomplete Pinterest Credentials.*app_id.*app_secret`},
		"token unknown at plan time": {`
resource "terraform_data" "token" {
  input = "late"
}

provider "pinterest" {
  base_url     = "` + emu.baseURL + `"
  access_token = terraform_data.token.output
}
`, `(?s)Unknown Pinterest Provider Setting.*PINTEREST_ACCESS_TOKEN`},
		"bad request timeout": {`
provider "pinterest" {
  base_url        = "` + emu.baseURL + `"
  access_token    = "x"
  request_timeout = "soon"
}
`, `Invalid Duration`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      tc.provider + dataSource,
						ExpectError: regexp.MustCompile(tc.want),
					},
				},
			})
		})
	}
	if n := emu.RequestCount(""); n != 0 {
		t.Errorf("a misconfigured provider sent %d requests", n)
	}
}

func TestAccProvider_environmentSettings(t *testing.T) {
	emu := newTestEmulator(t)
	t.Setenv(envAccessToken, testToken)
	t.Setenv(envBaseURL, emu.baseURL)
	t.Setenv(envAdAccountID, testAccount)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: `
resource "pinterest_custom_event" "test" {
  name                   = "From_Env"
  mapped_conversion_type = "CONTACT"
}
`,
				Check: checkEmulator(emu, testAccount, "From_Env", "CONTACT"),
			},
		},
	})
}
