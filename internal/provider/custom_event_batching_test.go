package provider

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// fifteenEvents is a configuration of a full ad account, every event in one resource
// block so that Terraform runs their operations concurrently. It uses count, not
// for_each, as plugin-testing's state checks cannot address for_each instances.
func fifteenEvents(account string, mapping string) string {
	return fmt.Sprintf(`
resource "pinterest_custom_event" "all" {
  count = 15

  ad_account_id          = %q
  name                   = format("Batch_Event_%%02d", count.index)
  mapped_conversion_type = %q
}
`, account, mapping)
}

// checkRequests asserts the number of requests of one method since the last reset,
// then resets the count.
func checkRequests(emu *testEmulator, method string, atMost int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		defer emu.ResetRequests()
		if got := emu.RequestCount(method); got > atMost || got == 0 {
			return fmt.Errorf("%d %s requests, want 1 to %d", got, method, atMost)
		}
		return nil
	}
}

// widenBatchTiming makes batches wait longer for company than they do in use, so that a
// loaded machine, or the race detector, which slow Terraform's start of concurrent
// operations, do not split them. The benchmark shows the figures with the defaults.
func widenBatchTiming(t *testing.T) {
	saved := batchTiming
	batchTiming = pinterest.StoreOptions{Window: 3 * time.Second, Settle: 500 * time.Millisecond}
	t.Cleanup(func() { batchTiming = saved })
}

// A full account's 15 events go in two requests of each kind, as Terraform runs ten
// operations at once.
const mostBatchedRequests = 2

func TestAccCustomEvent_fullAccountTakesFewRequests(t *testing.T) {
	widenBatchTiming(t)
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := emu.checkDestroyed(s); err != nil {
				return err
			}
			if got := emu.RequestCount(http.MethodDelete); got > mostBatchedRequests {
				return fmt.Errorf("destroy of 15 events made %d untrack requests, want at most %d",
					got, mostBatchedRequests)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetRequests,
				Config:    emu.providerConfig() + fifteenEvents(testAccount, "LEAD"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEventCount(emu, testAccount, 15),
					checkRequests(emu, http.MethodPost, mostBatchedRequests),
				),
			},
			{
				PreConfig: emu.ResetRequests,
				Config:    emu.providerConfig() + fifteenEvents(testAccount, "SIGNUP"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkEmulator(emu, testAccount, "Batch_Event_07", "SIGNUP"),
					checkRequests(emu, http.MethodPatch, mostBatchedRequests),
				),
			},
			{
				// A refresh of the whole account is one list request.
				PreConfig:    emu.ResetRequests,
				RefreshState: true,
				Check:        checkRequests(emu, http.MethodGet, 1),
			},
			{
				PreConfig: emu.ResetRequests,
				Config:    emu.providerConfig(),
			},
		},
	})
}
