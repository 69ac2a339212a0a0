package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*customEventDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*customEventDataSource)(nil)
)

// NewCustomEventDataSource returns the pinterest_custom_event data source.
func NewCustomEventDataSource() datasource.DataSource {
	return &customEventDataSource{}
}

type customEventDataSource struct {
	data *providerData
}

type customEventDataModel struct {
	ID                   types.String `tfsdk:"id"`
	AdAccountID          types.String `tfsdk:"ad_account_id"`
	Name                 types.String `tfsdk:"name"`
	MappedConversionType types.String `tfsdk:"mapped_conversion_type"`
}

func (d *customEventDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_event"
}

func (d *customEventDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Looks up one custom event of an ad account by name. Fails when the " +
			"ad account has no such event.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: "`<ad_account_id>/<name>`, with the name as Pinterest returns it.",
				Computed:    true,
			},
			"ad_account_id": schema.StringAttribute{
				Description: "Ad account to look in. Defaults to the provider's `ad_account_id`.",
				Optional:    true,
				Computed:    true,
				Validators:  []validator.String{adAccountIDValidator{}},
			},
			"name": schema.StringAttribute{
				Description: "Name of the event; matched without regard to case, as Pinterest " +
					"does.",
				Required:   true,
				Validators: []validator.String{nameValidator{}},
			},
			"mapped_conversion_type": schema.StringAttribute{
				Description: "Standard event type the event is mapped to. Besides the types " +
					"a mapping can be set to, Pinterest may report others (such as `CUSTOM` or " +
					"`PAGE_LOAD`), or none, which reads as null.",
				Computed: true,
			},
		},
	}
}

func (d *customEventDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *customEventDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg customEventDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account := d.data.adAccount(cfg.AdAccountID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.Name.ValueString()
	end := d.data.store.Begin(account)
	defer end()

	events, err := d.data.store.Events(ctx, account)
	if err != nil {
		resp.Diagnostics.Append(failure{op: opRead, adAccountID: account, name: name}.diagnose(err))
		return
	}

	event, found := findEvent(events, name)
	if !found {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Custom Event Not Found",
			fmt.Sprintf("Ad account %s has no custom event named %q (names are compared "+
				"without regard to case). The pinterest_custom_events data source lists "+
				"the events it has.", account, name))
		return
	}
	cfg.AdAccountID = types.StringValue(account)
	cfg.MappedConversionType = mappingValue(event.MappingType)
	cfg.ID = types.StringValue(eventID(account, event.Name))

	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// adAccount returns the ad account a data source or list resource should use: its own
// setting, else the provider's default; it reports an error when there is neither.
func (p *providerData) adAccount(v types.String, diags interface {
	AddAttributeError(path.Path, string, string)
}) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if p != nil && p.adAccountID != "" {
		return p.adAccountID
	}
	diags.AddAttributeError(path.Root("ad_account_id"), "Missing Ad Account ID",
		"Set ad_account_id here, or a default ad_account_id in the provider block (or the "+
			envAdAccountID+" environment variable).")
	return ""
}
