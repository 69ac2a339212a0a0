package provider

import (
	"fmt"
	"strings"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// eventID is the Terraform id of a custom event, "<ad_account_id>/<name>": the API
// knows an event only by its name within one ad account.
func eventID(adAccountID, name string) string {
	return adAccountID + "/" + name
}

// parseEventID splits an import id into ad account id and name, and says what is
// wrong, with the expected form, when it cannot.
func parseEventID(id string) (adAccountID, name string, err error) {
	account, name, found := strings.Cut(strings.TrimSpace(id), "/")
	if !found {
		return "", "", fmt.Errorf("%q has no '/'; the id of a custom event is "+
			"<ad_account_id>/<name>, for example 549755885175/checkout_step", id)
	}
	if err := pinterest.ValidateAdAccountID(account); err != nil {
		return "", "", fmt.Errorf("in %q, the part before '/' is not an ad account id: %v; "+
			"the expected form is <ad_account_id>/<name>, for example "+
			"549755885175/checkout_step", id, err)
	}
	if err := pinterest.ValidateName(name); err != nil {
		return "", "", fmt.Errorf("in %q, the part after '/' is not a custom event name: %v; "+
			"the expected form is <ad_account_id>/<name>, for example "+
			"549755885175/checkout_step", id, err)
	}
	return account, name, nil
}
