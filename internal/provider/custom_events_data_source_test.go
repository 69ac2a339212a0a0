package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

func TestAccCustomEventsDataSource_readsOddTypesInStableOrder(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount,
		emulator.Event{Name: "zeta_visit", MappingType: emulator.String("PAGE_VISIT")},
		emulator.Event{Name: "Alpha_Custom", MappingType: emulator.String("CUSTOM")},
		emulator.Event{Name: "mid_null", MappingType: nil},
		emulator.Event{Name: "Beta_Load", MappingType: emulator.String("PAGE_LOAD")},
		emulator.Event{Name: "gamma_new", MappingType: emulator.String("SOMETHING_NEW")},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig(fmt.Sprintf("ad_account_id = %q", testAccount)) + `
data "pinterest_custom_events" "all" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pinterest_custom_events.all",
						tfjsonpath.New("ad_account_id"), knownvalue.StringExact(testAccount)),
					statecheck.ExpectKnownValue("data.pinterest_custom_events.all",
						tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{
							summary("Alpha_Custom", knownvalue.StringExact("CUSTOM")),
							summary("Beta_Load", knownvalue.StringExact("PAGE_LOAD")),
							summary("gamma_new", knownvalue.StringExact("SOMETHING_NEW")),
							summary("mid_null", knownvalue.Null()),
							summary("zeta_visit", knownvalue.StringExact("PAGE_VISIT")),
						})),
				},
			},
		},
	})
}

func summary(name string, mapping knownvalue.Check) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":                   knownvalue.StringExact(name),
		"mapped_conversion_type": mapping,
	})
}

func TestAccCustomEventsDataSource_emptyAccount(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + fmt.Sprintf(`
data "pinterest_custom_events" "all" {
  ad_account_id = %q
}
`, testAccount),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pinterest_custom_events.all",
						tfjsonpath.New("events"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

func TestAccCustomEventDataSource_matchesNameWithoutCase(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount,
		emulator.Event{Name: "Video_Watched", MappingType: emulator.String("WATCH_VIDEO")},
		emulator.Event{Name: "Legacy", MappingType: emulator.String("APP_OPEN")},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + fmt.Sprintf(`
data "pinterest_custom_event" "video" {
  ad_account_id = %[1]q
  name          = "video_watched"
}

data "pinterest_custom_event" "legacy" {
  ad_account_id = %[1]q
  name          = "Legacy"
}
`, testAccount),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pinterest_custom_event.video",
						tfjsonpath.New("mapped_conversion_type"), knownvalue.StringExact("WATCH_VIDEO")),
					statecheck.ExpectKnownValue("data.pinterest_custom_event.video",
						tfjsonpath.New("id"), knownvalue.StringExact(testAccount+"/Video_Watched")),
					statecheck.ExpectKnownValue("data.pinterest_custom_event.legacy",
						tfjsonpath.New("mapped_conversion_type"), knownvalue.StringExact("APP_OPEN")),
				},
			},
			{
				Config: emu.providerConfig() + fmt.Sprintf(`
data "pinterest_custom_event" "missing" {
  ad_account_id = %q
  name          = "Nope"
}
`, testAccount),
				ExpectError: regexp.MustCompile(`(?s)Custom Event Not Found.*pinterest_custom_events`),
			},
		},
	})
}

func TestAccCustomEventDataSource_readsAResourceManagedInTheSameRun(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Search_Run", "SEARCH") + `
data "pinterest_custom_event" "same" {
  ad_account_id = pinterest_custom_event.test.ad_account_id
  name          = pinterest_custom_event.test.name
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pinterest_custom_event.same",
						tfjsonpath.New("mapped_conversion_type"), knownvalue.StringExact("SEARCH")),
				},
			},
		},
	})
}
