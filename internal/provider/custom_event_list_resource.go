package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

var (
	_ list.ListResource              = (*customEventListResource)(nil)
	_ list.ListResourceWithConfigure = (*customEventListResource)(nil)
)

// NewCustomEventListResource returns the pinterest_custom_event list resource, which
// finds the custom events of an ad account for terraform query, so that events made in
// Ads Manager can be imported in bulk.
func NewCustomEventListResource() list.ListResource {
	return &customEventListResource{}
}

type customEventListResource struct {
	data *providerData
}

// customEventListModel is the config block of a list block.
type customEventListModel struct {
	AdAccountID          types.String `tfsdk:"ad_account_id"`
	MappedConversionType types.String `tfsdk:"mapped_conversion_type"`
	NamePrefix           types.String `tfsdk:"name_prefix"`
}

func (l *customEventListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_event"
}

func (l *customEventListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Finds the custom events of an ad account, whether or not Terraform " +
			"manages them, ordered by name without regard to case.",
		Attributes: map[string]schema.Attribute{
			"ad_account_id": schema.StringAttribute{
				Description: "Ad account to list. Defaults to the provider's `ad_account_id`.",
				Optional:    true,
				Validators:  []validator.String{adAccountIDValidator{}},
			},
			"mapped_conversion_type": schema.StringAttribute{
				Description: "Lists only the events mapped to this type, compared exactly. " +
					"Any type Pinterest reports may be given, including those a mapping " +
					"cannot be set to, such as `CUSTOM` or `PAGE_LOAD`.",
				Optional: true,
			},
			"name_prefix": schema.StringAttribute{
				Description: "Lists only the events whose names start with this, compared " +
					"without regard to case, as Pinterest compares names.",
				Optional: true,
			},
		},
	}
}

func (l *customEventListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (l *customEventListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg customEventListModel
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if l.data == nil {
		diags.AddError("Unconfigured Pinterest Provider",
			"The provider was not configured before listing custom events. This is a bug "+
				"in the provider or in Terraform; please report it.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	account := l.data.adAccount(cfg.AdAccountID, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	end := l.data.store.Begin(account)
	defer end()

	ctx = tflog.SetField(ctx, "ad_account_id", account)
	tflog.Debug(ctx, "Listing custom events")
	events, err := l.data.store.Events(ctx, account)
	if err != nil {
		diags.Append(failure{op: opRead, adAccountID: account}.diagnose(err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	events = filterEvents(events, cfg.MappedConversionType.ValueString(),
		cfg.NamePrefix.ValueString())
	sortEvents(events)
	// Terraform always sends a limit, 100 unless the list block sets one; zero comes
	// only from callers that leave it unset, so it means no limit rather than none.
	if req.Limit > 0 && int64(len(events)) > req.Limit {
		events = events[:req.Limit]
	}
	tflog.Debug(ctx, "Listed custom events", map[string]any{"events": len(events)})

	stream.Results = func(push func(list.ListResult) bool) {
		for _, e := range events {
			result := req.NewListResult(ctx)
			result.DisplayName = eventDisplayName(e)
			result.Diagnostics.Append(result.Identity.Set(ctx, customEventIdentityModel{
				AdAccountID: types.StringValue(account),
				Name:        types.StringValue(e.Name),
			})...)
			if req.IncludeResource {
				result.Diagnostics.Append(setEventState(ctx, result.Resource, account, e)...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// filterEvents keeps the events with exactly the given mapping and a name that starts
// with the prefix, without regard to case; an empty filter keeps every event.
func filterEvents(events []pinterest.Event, mapping, namePrefix string) []pinterest.Event {
	prefix := pinterest.NameKey(namePrefix)
	kept := events[:0]
	for _, e := range events {
		if mapping != "" && string(e.MappingType) != mapping {
			continue
		}
		if !strings.HasPrefix(pinterest.NameKey(e.Name), prefix) {
			continue
		}
		kept = append(kept, e)
	}
	return kept
}

// eventDisplayName is how terraform query shows an event: its name and mapping.
func eventDisplayName(e pinterest.Event) string {
	if e.MappingType == "" {
		return e.Name + " (unmapped)"
	}
	return e.Name + " (" + string(e.MappingType) + ")"
}

// setEventState writes an event into a resource state as the resource's Read would
// right after an import, with the name in Pinterest's case and no timeouts, so that
// configuration generated from it plans no change once imported.
func setEventState(ctx context.Context, state *tfsdk.Resource, adAccountID string, e pinterest.Event) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(state.SetAttribute(ctx, path.Root("id"), eventID(adAccountID, e.Name))...)
	diags.Append(state.SetAttribute(ctx, path.Root("ad_account_id"), adAccountID)...)
	diags.Append(state.SetAttribute(ctx, path.Root("name"), e.Name)...)
	diags.Append(state.SetAttribute(ctx, path.Root("mapped_conversion_type"),
		mappingValue(e.MappingType))...)
	return diags
}
