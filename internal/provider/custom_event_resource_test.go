package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

const eventAddr = "pinterest_custom_event.test"

func eventConfig(account, name, mapping string) string {
	return fmt.Sprintf(`
resource "pinterest_custom_event" "test" {
  ad_account_id          = %q
  name                   = %q
  mapped_conversion_type = %q
}
`, account, name, mapping)
}

// checkEmulator asserts what the emulator holds for one event.
func checkEmulator(emu *testEmulator, account, name, mapping string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ev, ok := emu.event(account, name)
		if !ok {
			return fmt.Errorf("emulator has no event %q in %s; it has %v", name, account,
				emu.Events(account))
		}
		if ev.MappingType == nil || *ev.MappingType != mapping {
			return fmt.Errorf("event %q is mapped to %v, want %s", name, ev.MappingType, mapping)
		}
		return nil
	}
}

func checkEventCount(emu *testEmulator, account string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(emu.Events(account)); got != want {
			return fmt.Errorf("emulator holds %d events in %s, want %d: %v", got, account,
				want, emu.Events(account))
		}
		return nil
	}
}

func TestAccCustomEvent_lifecycle(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "CHECKOUT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("id"),
						knownvalue.StringExact(testAccount+"/Checkout_Step")),
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("name"),
						knownvalue.StringExact("Checkout_Step")),
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("mapped_conversion_type"),
						knownvalue.StringExact("CHECKOUT")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Checkout_Step", "CHECKOUT"),
					checkEventCount(emu, testAccount, 1),
				),
			},
			{
				// Import with the command, by id.
				ResourceName:            eventAddr,
				ImportState:             true,
				ImportStateId:           testAccount + "/Checkout_Step",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Import with an import block, by id, which must plan as a no-op.
				ResourceName:    eventAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   testAccount + "/Checkout_Step",
			},
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "ADD_TO_CART"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("mapped_conversion_type"),
						knownvalue.StringExact("ADD_TO_CART")),
				},
				Check: checkEmulator(emu, testAccount, "Checkout_Step", "ADD_TO_CART"),
			},
			{
				// A real rename replaces: the API cannot rename.
				Config: emu.providerConfig() + eventConfig(testAccount, "Purchase_Step", "ADD_TO_CART"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr,
							plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("id"),
						knownvalue.StringExact(testAccount+"/Purchase_Step")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Purchase_Step", "ADD_TO_CART"),
					checkEventCount(emu, testAccount, 1),
				),
			},
			{
				// Moving to another ad account replaces too.
				Config: emu.providerConfig() + eventConfig("549755885176", "Purchase_Step", "ADD_TO_CART"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr,
							plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEventCount(emu, testAccount, 0),
					checkEmulator(emu, "549755885176", "Purchase_Step", "ADD_TO_CART"),
				),
			},
		},
	})
}

func TestAccCustomEvent_caseOnlyChangeMakesNoRequest(t *testing.T) {
	emu := newTestEmulator(t)
	var writesBefore int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "CHECKOUT"),
				Check: func(*terraform.State) error {
					writesBefore = emu.writes()
					return nil
				},
			},
			{
				// Terraform shows the new spelling as an in-place change of state only:
				// nothing is replaced, and Pinterest is sent nothing.
				Config: emu.providerConfig() + eventConfig(testAccount, "checkout_step", "CHECKOUT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("name"),
						knownvalue.StringExact("checkout_step")),
				},
				Check: func(*terraform.State) error {
					if got := emu.writes(); got != writesBefore {
						return fmt.Errorf("a change of case made %d write requests, want 0",
							got-writesBefore)
					}
					ev, _ := emu.event(testAccount, "checkout_step")
					if ev.Name != "Checkout_Step" {
						return fmt.Errorf("the event was recreated as %q", ev.Name)
					}
					return nil
				},
			},
		},
	})
}

func TestAccCustomEvent_apiAnswersInOtherCase(t *testing.T) {
	emu := newTestEmulator(t)
	emu.SetLowercaseNames(true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				// The list answers "checkout_step"; the state keeps the configured case and
				// the plan after apply is empty (plugin-testing checks that).
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "CHECKOUT"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("name"),
						knownvalue.StringExact("Checkout_Step")),
				},
			},
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "CHECKOUT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccCustomEvent_driftIsRecreatedOrRemapped(t *testing.T) {
	emu := newTestEmulator(t)
	config := emu.providerConfig() + eventConfig(testAccount, "Lead_Form", "LEAD")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Untracked in Ads Manager: the refresh drops it, and apply creates it again.
				PreConfig: func() { emu.untrackOutOfBand(t, testAccount, "Lead_Form") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionCreate),
					},
				},
				Check: checkEmulator(emu, testAccount, "Lead_Form", "LEAD"),
			},
			{
				// Remapped in Ads Manager: the plan puts the configured mapping back.
				PreConfig: func() { emu.remapOutOfBand(t, testAccount, "lead_form", "SIGNUP") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(eventAddr,
							tfjsonpath.New("mapped_conversion_type"), knownvalue.StringExact("LEAD")),
					},
				},
				Check: checkEmulator(emu, testAccount, "Lead_Form", "LEAD"),
			},
		},
	})
}

func TestAccCustomEvent_destroyAfterOutOfBandUntrack(t *testing.T) {
	emu := newTestEmulator(t)
	config := emu.providerConfig() + eventConfig(testAccount, "Gone_Soon", "LEAD")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				// Untracked behind Terraform's back after apply: the destroy at the end of
				// the test must still succeed and leave nothing behind.
				Check: func(*terraform.State) error {
					emu.untrackOutOfBand(t, testAccount, "Gone_Soon")
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccCustomEvent_importGeneratesConfigThatPlansClean(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Newsletter_Signup",
		MappingType: emulator.String("SIGNUP")})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The id is given in another case than Ads Manager's: the generated
				// configuration takes Pinterest's spelling.
				Config:          emu.providerConfig(),
				ResourceName:    eventAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   testAccount + "/newsletter_signup",
				GenerateConfig:  true,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(eventAddr,
							tfjsonpath.New("name"), knownvalue.StringExact("Newsletter_Signup")),
						plancheck.ExpectKnownValue(eventAddr,
							tfjsonpath.New("mapped_conversion_type"), knownvalue.StringExact("SIGNUP")),
					},
				},
			},
		},
	})
}

func TestAccCustomEvent_importBlockAdoptsExistingEvent(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Trial_Started",
		MappingType: emulator.String("START_TRIAL")})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + fmt.Sprintf(`
import {
  to = pinterest_custom_event.test
  id = "%s/Trial_Started"
}
`, testAccount) + eventConfig(testAccount, "Trial_Started", "START_TRIAL"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eventAddr, tfjsonpath.New("id"),
						knownvalue.StringExact(testAccount+"/Trial_Started")),
				},
			},
		},
	})
}

func TestAccCustomEvent_invalidImportIDShowsExpectedForm(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        emu.providerConfig() + eventConfig(testAccount, "Some_Event", "LEAD"),
				ResourceName:  eventAddr,
				ImportState:   true,
				ImportStateId: "not-an-id",
				ExpectError:   regexp.MustCompile(`<ad_account_id>/<name>`),
			},
		},
	})
}

func TestAccCustomEvent_createOfExistingNameSuggestsImport(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Add_To_Cart_Click",
		MappingType: emulator.String("ADD_TO_CART")})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      emu.providerConfig() + eventConfig(testAccount, "add_to_cart_click", "ADD_TO_CART"),
				ExpectError: regexp.MustCompile(`(?s)Custom Event Already Exists.*terraform import`),
			},
		},
	})
	if got := len(emu.Events(testAccount)); got != 1 {
		t.Errorf("emulator holds %d events, want the 1 seeded", got)
	}
}

func TestAccCustomEvent_limitNamesTheEventsThere(t *testing.T) {
	emu := newTestEmulator(t)
	for i := range 15 {
		emu.Seed(testAccount, emulator.Event{Name: fmt.Sprintf("Existing_%02d", i),
			MappingType: emulator.String("LEAD")})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "One_Too_Many", "LEAD"),
				ExpectError: regexp.MustCompile(
					`(?s)Custom Event Limit Reached.*at most 15.*Existing_00.*Existing_14`),
			},
		},
	})
}

func TestAccCustomEvent_clonedAccountIsReadOnly(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Inherited", MappingType: emulator.String("LEAD")})
	emu.SetCloned(testAccount, true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_7_0), // removed blocks
		},
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + fmt.Sprintf(`
import {
  to = pinterest_custom_event.test
  id = "%s/Inherited"
}
`, testAccount) + eventConfig(testAccount, "Inherited", "SIGNUP"),
				ExpectError: regexp.MustCompile(`(?s)Cloned Ad Account Events Are Read-Only.*inherits`),
			},
			{
				// The advice of the diagnostic: stop managing the event, leaving it be.
				Config: emu.providerConfig() + `
removed {
  from = pinterest_custom_event.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
	})
	ev, ok := emu.event(testAccount, "Inherited")
	if !ok || ev.MappingType == nil || *ev.MappingType != "LEAD" {
		t.Errorf("the inherited event changed: %v", emu.Events(testAccount))
	}
}

func TestAccCustomEvent_invalidInputNeverReachesPinterest(t *testing.T) {
	emu := newTestEmulator(t)
	cases := map[string]struct {
		config string
		want   string
	}{
		"name with a space": {
			eventConfig(testAccount, "Checkout Step", "CHECKOUT"), `Invalid Custom Event Name`,
		},
		"name of 101 characters": {
			eventConfig(testAccount, strings.Repeat("a", 101), "CHECKOUT"), `at most 100`,
		},
		"empty name": {
			eventConfig(testAccount, "", "CHECKOUT"), `cannot be empty`,
		},
		"read-only mapping": {
			eventConfig(testAccount, "Valid", "CUSTOM"), `(?s)mapped_conversion_type.*SIGNUP`,
		},
		"lower-case mapping": {
			eventConfig(testAccount, "Valid", "checkout"), `(?s)mapped_conversion_type.*CHECKOUT`,
		},
		"ad account with letters": {
			eventConfig("54975588517a", "Valid", "CHECKOUT"), `Invalid Ad Account ID`,
		},
		"ad account of 19 digits": {
			eventConfig("1234567890123456789", "Valid", "CHECKOUT"), `at most 18 digits`,
		},
		"no ad account anywhere": {
			`
resource "pinterest_custom_event" "test" {
  name                   = "Valid"
  mapped_conversion_type = "CHECKOUT"
}
`, `Missing Ad Account ID`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      emu.providerConfig() + tc.config,
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(tc.want),
					},
				},
			})
		})
	}
	if n := emu.RequestCount(""); n != 0 {
		t.Errorf("the emulator received %d requests; invalid input must stop at plan", n)
	}
}

func TestAccCustomEvent_providerDefaultAdAccount(t *testing.T) {
	emu := newTestEmulator(t)
	config := func(account string) string {
		return emu.providerConfig(fmt.Sprintf("ad_account_id = %q", account)) + `
resource "pinterest_custom_event" "test" {
  name                   = "Defaulted"
  mapped_conversion_type = "SEARCH"
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config(testAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(eventAddr, tfjsonpath.New("ad_account_id"),
							knownvalue.StringExact(testAccount)),
					},
				},
				Check: checkEmulator(emu, testAccount, "Defaulted", "SEARCH"),
			},
			{
				// A new default moves the event, which shows in the plan as a replacement.
				Config: config("549755885176"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr,
							plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEventCount(emu, testAccount, 0),
					checkEmulator(emu, "549755885176", "Defaulted", "SEARCH"),
				),
			},
		},
	})
}

func TestAccCustomEvent_authFailureNamesTheFix(t *testing.T) {
	emu := newTestEmulator(t)
	emu.AddToken("read-only-token", "ads:read")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: strings.Replace(emu.providerConfig(), testToken, "expired-token", 1) +
					eventConfig(testAccount, "Any", "LEAD"),
				ExpectError: regexp.MustCompile(`(?s)Pinterest Authentication Failed.*30 days`),
			},
			{
				Config: strings.Replace(emu.providerConfig(), testToken, "read-only-token", 1) +
					eventConfig(testAccount, "Any", "LEAD"),
				ExpectError: regexp.MustCompile(`(?s)Pinterest Permission Denied.*ads:write`),
			},
		},
	})
	if got := emu.Events(testAccount); len(got) != 0 {
		t.Errorf("refused credentials still created events: %v", got)
	}
}
