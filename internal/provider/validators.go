package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// nameValidator checks a custom event name against Pinterest's rules at plan time, so
// that a bad name never reaches the API.
type nameValidator struct{}

func (nameValidator) Description(_ context.Context) string {
	return "must be 1 to 100 characters of letters, digits, '_' and '-'"
}

func (v nameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (nameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := pinterest.ValidateName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Custom Event Name",
			"Pinterest would refuse this name: "+err.Error()+".")
	}
}

// adAccountIDValidator checks an ad account id's form at plan time.
type adAccountIDValidator struct{}

func (adAccountIDValidator) Description(_ context.Context) string {
	return "must be 1 to 18 decimal digits"
}

func (v adAccountIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (adAccountIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := pinterest.ValidateAdAccountID(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Ad Account ID",
			err.Error()+". Use the numeric id of the ad account, as shown in Ads Manager's "+
				"address bar.")
	}
}

// durationValidator checks that a string is a positive Go duration.
type durationValidator struct{}

func (durationValidator) Description(_ context.Context) string {
	return "must be a positive duration such as \"30s\" or \"2m\""
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			"\""+req.ConfigValue.ValueString()+"\" is not a positive duration such as "+
				"\"30s\" or \"2m\".")
	}
}
