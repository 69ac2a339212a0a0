package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// list runs the list resource with the config block's settings and returns every result.
func (p *protoProvider) list(config map[string]any, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	configType := p.schema.ListResourceSchemas[eventType].ValueType()
	stream, err := p.lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        eventType,
		Config:          p.dynamic(objectOf(configType, config)),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var results []tfprotov6.ListResourceResult
	for r := range stream.Results {
		results = append(results, r)
	}
	return results
}

// listed is what a test wants of one list result.
type listed struct {
	display, name string
}

// checkListed asserts the display names and identities of the results, in order, and
// that none carries a diagnostic.
func (p *protoProvider) checkListed(results []tfprotov6.ListResourceResult, account string, want ...listed) {
	p.t.Helper()
	var got []listed
	for _, r := range results {
		checkNoErrors(p.t, "ListResource", r.Diagnostics)
		if len(r.Diagnostics) > 0 {
			p.t.Errorf("result %q carries diagnostics: %v", r.DisplayName, r.Diagnostics)
		}
		id := p.decodeIdentity(r.Identity)
		if id["ad_account_id"] != account {
			p.t.Errorf("result %q has identity %v, want ad account %s", r.DisplayName, id, account)
		}
		got = append(got, listed{r.DisplayName, id["name"]})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		p.t.Errorf("listed %v, want %v", got, want)
	}
}

// seedMixedEvents gives the ad account events in no particular order, with read-only,
// unknown and null mappings among them.
func seedMixedEvents(emu *testEmulator) {
	emu.Seed(testAccount,
		emulator.Event{Name: "zeta_visit", MappingType: emulator.String("PAGE_VISIT")},
		emulator.Event{Name: "Checkout_Step", MappingType: emulator.String("INITIATE_CHECKOUT")},
		emulator.Event{Name: "Alpha_Custom", MappingType: emulator.String("CUSTOM")},
		emulator.Event{Name: "mid_null", MappingType: nil},
		emulator.Event{Name: "checkout_done", MappingType: emulator.String("CHECKOUT")},
		emulator.Event{Name: "gamma_new", MappingType: emulator.String("SOMETHING_NEW")},
	)
}

func TestCustomEventList_listsEveryEventInStableOrder(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	p := newProtoProvider(t, emu, testToken, "")

	results := p.list(map[string]any{"ad_account_id": testAccount}, false, 100)
	p.checkListed(results, testAccount,
		listed{"Alpha_Custom (CUSTOM)", "Alpha_Custom"},
		listed{"checkout_done (CHECKOUT)", "checkout_done"},
		listed{"Checkout_Step (INITIATE_CHECKOUT)", "Checkout_Step"},
		listed{"gamma_new (SOMETHING_NEW)", "gamma_new"},
		listed{"mid_null (unmapped)", "mid_null"},
		listed{"zeta_visit (PAGE_VISIT)", "zeta_visit"},
	)
	for _, r := range results {
		if r.Resource != nil {
			t.Errorf("result %q has a resource, which was not asked for", r.DisplayName)
		}
	}
	if n := emu.RequestCount("GET"); n != 1 {
		t.Errorf("listing sent %d list requests, want 1", n)
	}
}

func TestCustomEventList_includeResourceGivesImportableState(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	p := newProtoProvider(t, emu, testToken, testAccount)

	results := p.list(nil, true, 100)
	if len(results) != 6 {
		t.Fatalf("listed %d events, want 6", len(results))
	}
	want := map[string]map[string]string{
		"Checkout_Step": {"id": testAccount + "/Checkout_Step", "ad_account_id": testAccount,
			"name": "Checkout_Step", "mapped_conversion_type": "INITIATE_CHECKOUT",
			"timeouts": "<null>"},
		"Alpha_Custom": {"id": testAccount + "/Alpha_Custom", "ad_account_id": testAccount,
			"name": "Alpha_Custom", "mapped_conversion_type": "CUSTOM", "timeouts": "<null>"},
		"mid_null": {"id": testAccount + "/mid_null", "ad_account_id": testAccount,
			"name": "mid_null", "mapped_conversion_type": "<null>", "timeouts": "<null>"},
	}
	for _, r := range results {
		checkNoErrors(t, "ListResource", r.Diagnostics)
		name := p.decodeIdentity(r.Identity)["name"]
		state := p.decode(r.Resource, p.resourceType())
		if state == nil {
			t.Errorf("result %q has no resource", r.DisplayName)
			continue
		}
		if state["name"] != name {
			t.Errorf("result %q: state name %q differs from identity name %q", r.DisplayName,
				state["name"], name)
		}
		if w, ok := want[name]; ok && fmt.Sprint(state) != fmt.Sprint(w) {
			t.Errorf("result %q has state %v, want %v", r.DisplayName, state, w)
		}
	}

	// When Pinterest spells a name its own way, the results carry its spelling. A new
	// provider, as the first one keeps the list it read until its next write.
	emu.SetLowercaseNames(true)
	p = newProtoProvider(t, emu, testToken, testAccount)
	results = p.list(map[string]any{"name_prefix": "Checkout_S"}, true, 100)
	if len(results) != 1 {
		t.Fatalf("listed %d events, want 1", len(results))
	}
	state := p.decode(results[0].Resource, p.resourceType())
	if state["name"] != "checkout_step" || state["id"] != testAccount+"/checkout_step" {
		t.Errorf("state is %v, want Pinterest's spelling checkout_step", state)
	}
	checkIdentity(t, p.decodeIdentity(results[0].Identity), testAccount, "checkout_step")
}

// TestCustomEventList_generatedConfigPlansClean follows terraform query
// -generate-config-out: configuration made from each result, less the computed id, must
// validate, import by the result's identity, and then plan no change.
func TestCustomEventList_generatedConfigPlansClean(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount,
		emulator.Event{Name: "Checkout_Step", MappingType: emulator.String("INITIATE_CHECKOUT")},
		emulator.Event{Name: "lead_form", MappingType: emulator.String("LEAD")},
	)
	p := newProtoProvider(t, emu, testToken, "")
	ctx := context.Background()

	results := p.list(map[string]any{"ad_account_id": testAccount}, true, 100)
	if len(results) != 2 {
		t.Fatalf("listed %d events, want 2", len(results))
	}
	for _, r := range results {
		listed, err := r.Resource.Unmarshal(p.resourceType())
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := listed.As(&attrs); err != nil {
			t.Fatal(err)
		}
		generated := map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, nil)}
		for name, v := range attrs {
			if name != "id" {
				generated[name] = v
			}
		}
		config := tftypes.NewValue(p.resourceType(), generated)

		valid, err := p.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
			TypeName: eventType, Config: p.dynamic(config),
		})
		if err != nil {
			t.Fatal(err)
		}
		checkNoErrors(t, "ValidateResourceConfig", valid.Diagnostics)

		imported, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: eventType, Identity: r.Identity,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkNoErrors(t, "ImportResourceState", imported.Diagnostics)
		stub, err := imported.ImportedResources[0].State.Unmarshal(p.resourceType())
		if err != nil {
			t.Fatal(err)
		}
		read := p.read(stub, imported.ImportedResources[0].Identity,
			imported.ImportedResources[0].Private)
		checkNoErrors(t, "ReadResource", read.Diagnostics)
		prior, err := read.NewState.Unmarshal(p.resourceType())
		if err != nil {
			t.Fatal(err)
		}

		plan, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName:         eventType,
			PriorState:       read.NewState,
			ProposedNewState: read.NewState,
			Config:           p.dynamic(config),
			PriorPrivate:     read.Private,
			PriorIdentity:    read.NewIdentity,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkNoErrors(t, "PlanResourceChange", plan.Diagnostics)
		planned, err := plan.PlannedState.Unmarshal(p.resourceType())
		if err != nil {
			t.Fatal(err)
		}
		if !planned.Equal(prior) || len(plan.RequiresReplace) > 0 {
			t.Errorf("%s: the plan after import changes %v into %v (replace: %v)",
				r.DisplayName, prior, planned, plan.RequiresReplace)
		}
		if !planned.Equal(listed) {
			t.Errorf("%s: the imported state %v differs from the listed one %v",
				r.DisplayName, planned, listed)
		}
	}
	if n := emu.writes(); n != 0 {
		t.Errorf("adopting the events sent %d write requests", n)
	}
}

func TestCustomEventList_filters(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	cases := map[string]struct {
		config map[string]any
		want   []listed
	}{
		"mapping, exactly": {
			map[string]any{"mapped_conversion_type": "CHECKOUT"},
			[]listed{{"checkout_done (CHECKOUT)", "checkout_done"}},
		},
		"read-only mapping": {
			map[string]any{"mapped_conversion_type": "CUSTOM"},
			[]listed{{"Alpha_Custom (CUSTOM)", "Alpha_Custom"}},
		},
		"mapping in another case matches nothing": {
			map[string]any{"mapped_conversion_type": "checkout"},
			nil,
		},
		"name prefix, without regard to case": {
			map[string]any{"name_prefix": "CHECKOUT"},
			[]listed{
				{"checkout_done (CHECKOUT)", "checkout_done"},
				{"Checkout_Step (INITIATE_CHECKOUT)", "Checkout_Step"},
			},
		},
		"both filters": {
			map[string]any{"name_prefix": "check", "mapped_conversion_type": "INITIATE_CHECKOUT"},
			[]listed{{"Checkout_Step (INITIATE_CHECKOUT)", "Checkout_Step"}},
		},
		"prefix matching nothing": {
			map[string]any{"name_prefix": "nope"},
			nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProtoProvider(t, emu, testToken, testAccount)
			p.checkListed(p.list(tc.config, false, 100), testAccount, tc.want...)
		})
	}
}

func TestCustomEventList_respectsLimit(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	p := newProtoProvider(t, emu, testToken, testAccount)

	p.checkListed(p.list(nil, true, 2), testAccount,
		listed{"Alpha_Custom (CUSTOM)", "Alpha_Custom"},
		listed{"checkout_done (CHECKOUT)", "checkout_done"},
	)
	// Limit applies after filtering.
	p.checkListed(p.list(map[string]any{"name_prefix": "checkout"}, false, 1), testAccount,
		listed{"checkout_done (CHECKOUT)", "checkout_done"},
	)
}

func TestCustomEventList_emptyAccount(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	p := newProtoProvider(t, emu, testToken, "")

	results := p.list(map[string]any{"ad_account_id": "549755885176"}, true, 100)
	if len(results) != 0 {
		t.Errorf("an empty ad account listed %v", results)
	}
}

func TestCustomEventList_errorsAreDiagnostics(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	cases := map[string]struct {
		token, defaultAccount string
		config                map[string]any
		summary, detail       string
	}{
		"refused token": {
			"expired-token", testAccount, nil,
			"Pinterest Authentication Failed", "30 days",
		},
		"ad account the user may not see": {
			testToken, "", map[string]any{"ad_account_id": "549755885177"},
			"Pinterest Permission Denied", "ads:read",
		},
		"no ad account anywhere": {
			testToken, "", nil,
			"Missing Ad Account ID", "PINTEREST_AD_ACCOUNT_ID",
		},
	}
	emu.DenyAccount("549755885177")
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProtoProvider(t, emu, tc.token, tc.defaultAccount)
			results := p.list(tc.config, true, 100)
			if len(results) != 1 {
				t.Fatalf("got %d results, want 1 carrying the error: %v", len(results), results)
			}
			d := findDiagnostic(results[0].Diagnostics, tfprotov6.DiagnosticSeverityError, tc.summary)
			if d == nil {
				t.Fatalf("no %q error; got %v", tc.summary, results[0].Diagnostics)
			}
			if !regexp.MustCompile(regexp.QuoteMeta(tc.detail)).MatchString(d.Detail) {
				t.Errorf("detail %q does not mention %q", d.Detail, tc.detail)
			}
			if results[0].Identity != nil || results[0].Resource != nil {
				t.Errorf("the error result also carries an event")
			}
		})
	}
}

func TestAccCustomEventList_query(t *testing.T) {
	emu := newTestEmulator(t)
	seedMixedEvents(emu)
	// The provider is configured from the environment: the query file then needs only
	// an empty provider block, with no other to clash with in the configuration.
	t.Setenv(envBaseURL, emu.baseURL)
	t.Setenv(envAccessToken, testToken)
	t.Setenv(envAdAccountID, testAccount)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_14_0),
		},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: `
resource "pinterest_custom_event" "test" {
  name                   = "Lead_Form"
  mapped_conversion_type = "LEAD"
}
`,
			},
			{
				Query: true,
				Config: `
provider "pinterest" {}

list "pinterest_custom_event" "all" {
  provider = pinterest
}

list "pinterest_custom_event" "checkout" {
  provider         = pinterest
  include_resource = true

  config {
    name_prefix = "checkout"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("pinterest_custom_event.all", 7),
					querycheck.ExpectIdentity("pinterest_custom_event.all", map[string]knownvalue.Check{
						"ad_account_id": knownvalue.StringExact(testAccount),
						"name":          knownvalue.StringExact("Lead_Form"),
					}),
					querycheck.ExpectLength("pinterest_custom_event.checkout", 2),
					querycheck.ExpectResourceDisplayName("pinterest_custom_event.checkout",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"ad_account_id": knownvalue.StringExact(testAccount),
							"name":          knownvalue.StringExact("Checkout_Step"),
						}), knownvalue.StringExact("Checkout_Step (INITIATE_CHECKOUT)")),
					querycheck.ExpectResourceKnownValues("pinterest_custom_event.checkout",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"ad_account_id": knownvalue.StringExact(testAccount),
							"name":          knownvalue.StringExact("checkout_done"),
						}), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("mapped_conversion_type"),
								KnownValue: knownvalue.StringExact("CHECKOUT")},
							{Path: tfjsonpath.New("id"),
								KnownValue: knownvalue.StringExact(testAccount + "/checkout_done")},
						}),
				},
			},
		},
	})
}
