package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// operation names what the provider was doing when a call failed, for diagnostics.
type operation string

const (
	opRead    operation = "read"
	opCreate  operation = "create"
	opUpdate  operation = "update"
	opUntrack operation = "untrack"
)

// scope is the OAuth scope Pinterest requires for the operation.
func (o operation) scope() string {
	if o == opRead {
		return "ads:read"
	}
	return "ads:write"
}

// failure describes what the provider was doing when a call failed.
type failure struct {
	op          operation
	adAccountID string
	// name is the custom event concerned; empty for a whole-account read.
	name string
	// existing lists the ad account's events, when known, for the limit diagnostic.
	existing []pinterest.Event
	// tainted is set when the state was kept, tainted, because the create may have
	// been carried out.
	tainted bool
}

// diagnose turns an error of the Pinterest client into a diagnostic that says what
// happened, what to do, and last Pinterest's own words.
func (f failure) diagnose(err error) diag.Diagnostic {
	summary, advice := f.explain(err)
	var what string
	if f.name != "" {
		what = fmt.Sprintf("Could not %s custom event %q in ad account %s.", f.op, f.name,
			f.adAccountID)
	} else {
		what = fmt.Sprintf("Could not %s the custom events of ad account %s.", f.op,
			f.adAccountID)
	}
	if f.tainted {
		advice += "\n\nPinterest may have created the event even though no answer said so. " +
			"Terraform keeps it in the state as tainted, and the next apply replaces it to " +
			"be sure: it untracks the name, which is harmless if it was never created, and " +
			"creates it again."
	}
	detail := what + "\n\n" + advice + "\n\nPinterest said: " + err.Error()
	return diag.NewErrorDiagnostic(summary, detail)
}

func (f failure) explain(err error) (summary, advice string) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "Pinterest Operation Timed Out",
			"The operation did not finish within its timeout, retries included. Try again " +
				"later, or raise the resource's timeouts block."
	case errors.Is(err, context.Canceled):
		return "Pinterest Operation Cancelled",
			"The operation was cancelled before it finished. Run terraform plan to see " +
				"where things stand; the next apply picks up from there."
	case errors.Is(err, pinterest.ErrDuplicateName):
		id := eventID(f.adAccountID, f.name)
		// The framework does not tell a resource its address, so the command names a
		// placeholder for it.
		addr := "pinterest_custom_event.NAME"
		return "Custom Event Already Exists",
			fmt.Sprintf("Ad account %s already has a custom event named %q (Pinterest "+
				"compares names without regard to case). To manage it with Terraform, "+
				"import it instead of creating it:\n\n  terraform import %s %s\n\n"+
				"or add an import block with id = %q.", f.adAccountID, f.name, addr, id, id)
	case errors.Is(err, pinterest.ErrEventLimit):
		advice = fmt.Sprintf("An ad account can hold at most %d custom events, and ad "+
			"account %s has reached that limit.", pinterest.MaxEventsPerAdAccount,
			f.adAccountID)
		if len(f.existing) > 0 {
			names := make([]string, len(f.existing))
			for i, e := range f.existing {
				names[i] = e.Name
			}
			advice += fmt.Sprintf(" It holds these %d: %s.", len(names),
				strings.Join(names, ", "))
		}
		return "Custom Event Limit Reached", advice + " Remove (untrack) an event that is " +
			"no longer needed, or use another ad account."
	case errors.Is(err, pinterest.ErrClonedAccount):
		return "Cloned Ad Account Events Are Read-Only",
			fmt.Sprintf("Ad account %s was cloned from a parent account and inherits its "+
				"conversion events; they can be neither updated nor untracked here. "+
				"Change them in the parent ad account, or stop managing this event with "+
				"Terraform (terraform state rm, or a removed block).", f.adAccountID)
	case errors.Is(err, pinterest.ErrEventNotFound):
		return "Custom Event Not Found",
			fmt.Sprintf("Ad account %s has no custom event named %q: it was probably "+
				"untracked outside Terraform. Run terraform apply again: the refresh "+
				"notices it is gone and plans to create it.", f.adAccountID, f.name)
	case errors.Is(err, pinterest.ErrAuthentication):
		return "Pinterest Authentication Failed",
			"Pinterest refused the credentials. Access tokens expire after about 30 days: " +
				"get a new one, or configure refresh_token, app_id and app_secret so that " +
				"the provider fetches access tokens itself."
	case errors.Is(err, pinterest.ErrPermission):
		return "Pinterest Permission Denied",
			fmt.Sprintf("The token may not %s custom events of ad account %s. It needs the "+
				"%s scope, and its user needs access to the ad account (check the "+
				"account's access in Business Manager).", f.op, f.adAccountID, f.op.scope())
	case errors.Is(err, pinterest.ErrNotFound):
		return "Ad Account Not Found",
			fmt.Sprintf("Pinterest knows no ad account %s for this token. Check the id, "+
				"and that the token's user has access to it.", f.adAccountID)
	case errors.Is(err, pinterest.ErrSpam):
		return "Pinterest Refused the Request as Spam",
			"Pinterest blocked the request as spam; retrying would not help. Contact " +
				"Pinterest support with the request id below."
	case errors.Is(err, pinterest.ErrRateLimited):
		return "Pinterest Rate Limit Exceeded",
			"Pinterest kept throttling the requests after every retry. Wait a few minutes " +
				"and apply again; lower -parallelism or the provider's " +
				"max_concurrent_requests, or raise max_retries."
	case errors.Is(err, pinterest.ErrInvalidInput):
		return "Pinterest Refused the Request",
			"Pinterest found the request invalid. The provider checks names, mapping types " +
				"and ad account ids before sending, so this is a rule it does not know; " +
				"please report it with the message below."
	case errors.Is(err, pinterest.ErrServer):
		return "Pinterest Server Error",
			"Pinterest failed to answer properly, retries included. Try again later; if " +
				"it persists, give Pinterest support the request id below."
	}
	return "Pinterest Request Failed",
		"The request could not be completed, retries included. Check the network path to " +
			"Pinterest (proxy, firewall, base_url) and try again."
}
