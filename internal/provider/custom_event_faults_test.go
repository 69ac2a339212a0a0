package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// checkStateMatchesEmulator asserts that Terraform's state and the emulator agree on the
// ad account: every event in state exists with its mapping, and nothing else exists.
func checkStateMatchesEmulator(emu *testEmulator, account string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		inState := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "pinterest_custom_event" {
				continue
			}
			inState++
			name, mapping := rs.Primary.Attributes["name"], rs.Primary.Attributes["mapped_conversion_type"]
			if err := checkEmulator(emu, account, name, mapping)(s); err != nil {
				return err
			}
		}
		if got := len(emu.Events(account)); got != inState {
			return fmt.Errorf("state holds %d events but the emulator %d: %v", inState, got,
				emu.Events(account))
		}
		return nil
	}
}

// TestAccCustomEvent_convergesUnderFaults applies, updates and destroys a full account
// while requests fail in every way the emulator knows, including writes that succeed on
// Pinterest's side but whose answer is lost: batched, with about half the requests
// failing, and one request per event, which makes many more requests and so meets many
// more faults even at a fifth failing (more would only make backoff waits long).
func TestAccCustomEvent_convergesUnderFaults(t *testing.T) {
	t.Run("batched", func(t *testing.T) { testConvergesUnderFaults(t, 1) })
	t.Run("unbatched", func(t *testing.T) {
		t.Setenv(envBatching, "off")
		testConvergesUnderFaults(t, 0.4)
	})
}

func testConvergesUnderFaults(t *testing.T, scale float64) {
	emu := newTestEmulator(t)
	for _, f := range []emulator.FaultRule{
		{Kind: emulator.FaultLostAnswer, Methods: []string{"POST", "PATCH", "DELETE"}, Rate: 0.15},
		{Kind: emulator.FaultRateLimit, Rate: 0.08},
		{Kind: emulator.FaultRateLimitNoHeader, Rate: 0.06},
		{Kind: emulator.FaultServerError, Rate: 0.06},
		{Kind: emulator.FaultBadGateway, Rate: 0.06},
		{Kind: emulator.FaultUnavailable, Rate: 0.06},
		{Kind: emulator.FaultDrop, Rate: 0.06},
		{Kind: emulator.FaultTruncate, Rate: 0.06},
		{Kind: emulator.FaultHang, Rate: 0.02},
	} {
		f.Rate *= scale
		emu.AddFault(f)
	}
	provider := emu.providerConfig(`max_retries = 25`, `request_timeout = "2s"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if got := emu.Events(testAccount); len(got) != 0 {
				return fmt.Errorf("destroy left events behind: %v", got)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: provider + fifteenEvents(testAccount, "LEAD"),
				Check:  checkStateMatchesEmulator(emu, testAccount),
			},
			{
				Config: provider + fifteenEvents(testAccount, "SIGNUP"),
				Check:  checkStateMatchesEmulator(emu, testAccount),
			},
		},
	})
	faults := 0
	for _, r := range emu.Requests() {
		if r.Fault != "" {
			faults++
		}
	}
	if faults == 0 {
		t.Errorf("no fault was injected in %d requests; the test tested nothing",
			len(emu.Requests()))
	}
	t.Logf("%d requests, %d with a fault", len(emu.Requests()), faults)
}

func TestAccCustomEvent_doesNotRetryWhatCannotSucceed(t *testing.T) {
	emu := newTestEmulator(t)
	emu.AddFault(emulator.FaultRule{Kind: emulator.FaultSpam, Methods: []string{"POST"}, Count: 1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      emu.providerConfig() + eventConfig(testAccount, "Spammy", "LEAD"),
				ExpectError: regexp.MustCompile(`Pinterest Refused the Request as Spam`),
			},
		},
	})
	if n := emu.RequestCount(http.MethodPost); n != 1 {
		t.Errorf("a request refused as spam was sent %d times, want once", n)
	}
}

func TestAccCustomEvent_timeoutEndsRetries(t *testing.T) {
	emu := newTestEmulator(t)
	emu.AddFault(emulator.FaultRule{Kind: emulator.FaultHang, Methods: []string{"POST"}, Rate: 1})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig(`request_timeout = "1s"`) + fmt.Sprintf(`
resource "pinterest_custom_event" "test" {
  ad_account_id          = %q
  name                   = "Slow"
  mapped_conversion_type = "LEAD"

  timeouts {
    create = "4s"
  }
}
`, testAccount),
				ExpectError: regexp.MustCompile(`(?s)Pinterest Operation Timed Out.*timeouts`),
			},
		},
	})
	// Not a speed claim: a broken deadline would retry for minutes, not seconds.
	if elapsed := time.Since(start); elapsed > 2*time.Minute {
		t.Errorf("the create timeout of 4s took %s to end the operation", elapsed)
	}
	if n := emu.RequestCount(http.MethodPost); n < 2 {
		t.Errorf("a hung create was tried %d times, want it retried before the deadline", n)
	}
}

// TestAccCustomEvent_unansweredCreateIsReplacedNextApply makes Pinterest create the
// event but lose every answer, with retries off, so the provider cannot know whether
// the create happened. The next apply must converge rather than fail as a duplicate.
func TestAccCustomEvent_unansweredCreateIsReplacedNextApply(t *testing.T) {
	emu := newTestEmulator(t)
	emu.AddFault(emulator.FaultRule{Kind: emulator.FaultLostAnswer, Methods: []string{"POST"}, Rate: 1})
	config := emu.providerConfig(`max_retries = 0`) + eventConfig(testAccount, "Unanswered", "LEAD")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Pinterest Request Failed.*tainted.*replaces it`),
			},
			{
				PreConfig: emu.ClearFaults,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr,
							plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Unanswered", "LEAD"),
					checkEventCount(emu, testAccount, 1),
				),
			},
		},
	})
}
