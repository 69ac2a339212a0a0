package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func runStringValidator(v validator.String, value types.String) []string {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: value}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Summary()+": "+d.Detail())
	}
	return out
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name      string
		validator validator.String
		value     types.String
		wantErr   string
	}{
		{"name ok", nameValidator{}, types.StringValue("Checkout_Step-2"), ""},
		{"name of 100", nameValidator{}, types.StringValue(strings.Repeat("n", 100)), ""},
		{"name of 101", nameValidator{}, types.StringValue(strings.Repeat("n", 101)), "at most 100"},
		{"name with dot", nameValidator{}, types.StringValue("a.b"), "'.'"},
		{"name empty", nameValidator{}, types.StringValue(""), "cannot be empty"},
		{"name null", nameValidator{}, types.StringNull(), ""},
		{"name unknown", nameValidator{}, types.StringUnknown(), ""},
		{"account ok", adAccountIDValidator{}, types.StringValue("549755885175"), ""},
		{"account letters", adAccountIDValidator{}, types.StringValue("act_1"), "decimal digits"},
		{"account 19 digits", adAccountIDValidator{}, types.StringValue(strings.Repeat("1", 19)), "at most 18"},
		{"duration ok", durationValidator{}, types.StringValue("45s"), ""},
		{"duration zero", durationValidator{}, types.StringValue("0s"), "positive"},
		{"duration words", durationValidator{}, types.StringValue("soon"), "positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diags := runStringValidator(tc.validator, tc.value)
			if tc.wantErr == "" {
				if len(diags) != 0 {
					t.Errorf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 || !strings.Contains(diags[0], tc.wantErr) {
				t.Errorf("diagnostics %v, want one containing %q", diags, tc.wantErr)
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	cases := map[string]bool{
		"https://api.pinterest.com/v5": true,
		"http://127.0.0.1:8080/v5":     true,
		"http://127.8.9.1/v5":          true,
		"http://[::1]:9999/v5":         true,
		"http://localhost:8080/v5":     true,
		"http://api.pinterest.com/v5":  false,
		"http://10.0.0.5/v5":           false,
		"ftp://127.0.0.1/v5":           false,
		"api.pinterest.com/v5":         false,
		"":                             false,
	}
	for raw, ok := range cases {
		if got := checkBaseURL(raw) == ""; got != ok {
			t.Errorf("checkBaseURL(%q) accepted=%v, want %v (%s)", raw, got, ok, checkBaseURL(raw))
		}
	}
}
