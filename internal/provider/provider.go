// Package provider is the Terraform side of the Pinterest provider: schemas, plans,
// state and diagnostics. Every call to Pinterest goes through internal/pinterest.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/oauth2"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// Address is where the registry serves the provider.
const Address = "registry.terraform.io/conversionops/pinterest"

// Environment variables the provider reads when its block leaves a setting out.
const (
	envAccessToken    = "PINTEREST_ACCESS_TOKEN"
	envRefreshToken   = "PINTEREST_REFRESH_TOKEN"
	envAppID          = "PINTEREST_APP_ID"
	envAppSecret      = "PINTEREST_APP_SECRET"
	envBaseURL        = "PINTEREST_BASE_URL"
	envAdAccountID    = "PINTEREST_AD_ACCOUNT_ID"
	envMaxRetries     = "PINTEREST_MAX_RETRIES"
	envRequestTimeout = "PINTEREST_REQUEST_TIMEOUT"
	envMaxConcurrent  = "PINTEREST_MAX_CONCURRENT_REQUESTS"
	// envBatching switches request batching and shared reads off when set to "off"
	// or "0"; the benchmark uses it to show what they save.
	envBatching = "PINTEREST_BATCHING"
)

var _ provider.Provider = (*pinterestProvider)(nil)

// batchTiming holds the store's gathering times; zero values mean its defaults. Tests
// widen them so that batches form the same way on a loaded machine as on a quiet one.
var batchTiming pinterest.StoreOptions
var _ provider.ProviderWithListResources = (*pinterestProvider)(nil)

// New returns a constructor of the provider at the given version, as providerserver wants.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &pinterestProvider{version: version}
	}
}

type pinterestProvider struct {
	version string
}

// providerModel is the provider block.
type providerModel struct {
	AccessToken           types.String `tfsdk:"access_token"`
	RefreshToken          types.String `tfsdk:"refresh_token"`
	AppID                 types.String `tfsdk:"app_id"`
	AppSecret             types.String `tfsdk:"app_secret"`
	BaseURL               types.String `tfsdk:"base_url"`
	AdAccountID           types.String `tfsdk:"ad_account_id"`
	MaxRetries            types.Int64  `tfsdk:"max_retries"`
	RequestTimeout        types.String `tfsdk:"request_timeout"`
	MaxConcurrentRequests types.Int64  `tfsdk:"max_concurrent_requests"`
}

// providerData is what Configure hands every resource and data source.
type providerData struct {
	store *pinterest.Store
	// adAccountID is the provider's default ad account; empty when none is set.
	adAccountID string
}

func (p *pinterestProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "pinterest"
	resp.Version = p.version
}

func (p *pinterestProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages Pinterest advertiser-defined (custom) conversion events.",
		Attributes: map[string]schema.Attribute{
			"access_token": schema.StringAttribute{
				Description: "OAuth 2 access token of a Pinterest app with the `ads:read` and " +
					"`ads:write` scopes. May also be set with `" + envAccessToken + "`. " +
					"Ignored when `refresh_token`, `app_id` and `app_secret` are all set.",
				Optional:  true,
				Sensitive: true,
			},
			"refresh_token": schema.StringAttribute{
				Description: "OAuth 2 refresh token, exchanged for access tokens as needed " +
					"together with `app_id` and `app_secret`. May also be set with `" +
					envRefreshToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"app_id": schema.StringAttribute{
				Description: "ID of the Pinterest app the refresh token belongs to. May also be " +
					"set with `" + envAppID + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"app_secret": schema.StringAttribute{
				Description: "Secret of the Pinterest app the refresh token belongs to. May " +
					"also be set with `" + envAppSecret + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				Description: "Root of the Pinterest API. Defaults to `" + pinterest.DefaultBaseURL +
					"`; may also be set with `" + envBaseURL + "`. Must use https unless it " +
					"points at a loopback address, such as the local emulator.",
				Optional: true,
			},
			"ad_account_id": schema.StringAttribute{
				Description: "Ad account used by every resource and data source that does not " +
					"set its own. May also be set with `" + envAdAccountID + "`.",
				Optional:   true,
				Validators: []validator.String{adAccountIDValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				Description: fmt.Sprintf("How many times a throttled, failed or unanswered "+
					"request is tried again before giving up. Defaults to %d; may also be set "+
					"with `%s`. Set 0 to turn retries off.", pinterest.DefaultMaxRetries,
					envMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"request_timeout": schema.StringAttribute{
				Description: "Longest time one request may take before it is abandoned and " +
					"retried, as a Go duration such as `30s`. Defaults to `60s`; may also be " +
					"set with `" + envRequestTimeout + "`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"max_concurrent_requests": schema.Int64Attribute{
				Description: "Most requests the provider sends to Pinterest at once. Unset " +
					"means as many as Terraform's `-parallelism` allows. May also be set with `" +
					envMaxConcurrent + "`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
	}
}

func (p *pinterestProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	s := settingsReader{diags: &resp.Diagnostics}
	accessToken := s.str(cfg.AccessToken, "access_token", envAccessToken)
	refreshToken := s.str(cfg.RefreshToken, "refresh_token", envRefreshToken)
	appID := s.str(cfg.AppID, "app_id", envAppID)
	appSecret := s.str(cfg.AppSecret, "app_secret", envAppSecret)
	baseURL := s.str(cfg.BaseURL, "base_url", envBaseURL)
	adAccountID := s.str(cfg.AdAccountID, "ad_account_id", envAdAccountID)
	maxRetries := s.int(cfg.MaxRetries, "max_retries", envMaxRetries, pinterest.DefaultMaxRetries)
	maxConcurrent := s.int(cfg.MaxConcurrentRequests, "max_concurrent_requests", envMaxConcurrent, 0)
	timeoutText := s.str(cfg.RequestTimeout, "request_timeout", envRequestTimeout)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets(accessToken, refreshToken, appSecret)...)

	if baseURL == "" {
		baseURL = pinterest.DefaultBaseURL
	}
	if msg := checkBaseURL(baseURL); msg != "" {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid Pinterest Base URL", msg)
	}
	if adAccountID != "" {
		if err := pinterest.ValidateAdAccountID(adAccountID); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ad_account_id"),
				"Invalid Default Ad Account ID",
				"The provider's ad_account_id (or "+envAdAccountID+") is not usable: "+
					err.Error()+". Use the numeric id shown in Ads Manager.")
		}
	}
	requestTimeout := pinterest.DefaultAttemptTimeout
	if timeoutText != "" {
		d, err := time.ParseDuration(timeoutText)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"),
				"Invalid Request Timeout",
				fmt.Sprintf("%q is not a positive Go duration such as \"30s\" or \"2m\".",
					timeoutText))
		}
		requestTimeout = d
	}

	httpClient := &http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	tokens := tokenSource(accessToken, refreshToken, appID, appSecret, baseURL, httpClient,
		&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	retries := int(maxRetries)
	if retries == 0 {
		retries = -1 // The client reads zero as "use the default".
	}
	client, err := pinterest.NewClient(pinterest.Config{
		BaseURL:     baseURL,
		TokenSource: tokens,
		HTTPClient:  httpClient,
		UserAgent: fmt.Sprintf("terraform-provider-pinterest/%s Terraform/%s",
			p.version, req.TerraformVersion),
		Retry:                 pinterest.RetryPolicy{MaxRetries: retries},
		AttemptTimeout:        requestTimeout,
		MaxConcurrentRequests: int(maxConcurrent),
		OnRequest:             logRequest(secrets(accessToken, refreshToken, appSecret)),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Pinterest Client", err.Error())
		return
	}

	shared := batchingEnabled()
	data := &providerData{
		store: pinterest.NewStore(client, pinterest.StoreOptions{
			Batching: shared,
			Sharing:  shared,
			Window:   batchTiming.Window,
			Settle:   batchTiming.Settle,
		}),
		adAccountID: adAccountID,
	}
	tflog.Debug(ctx, "Configured Pinterest client", map[string]any{
		"base_url": baseURL, "default_ad_account_id": adAccountID, "max_retries": maxRetries,
		"batching": shared,
	})
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.ListResourceData = data
}

func (p *pinterestProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewCustomEventResource,
	}
}

func (p *pinterestProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCustomEventDataSource,
		NewCustomEventsDataSource,
	}
}

func (p *pinterestProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewCustomEventListResource,
	}
}

// settingsReader reads provider settings that may come from the block or the
// environment, reporting unknown values and unparsable environment values.
type settingsReader struct {
	diags interface {
		AddAttributeError(path.Path, string, string)
	}
}

func (s settingsReader) unknown(attr, env string) {
	s.diags.AddAttributeError(path.Root(attr), "Unknown Pinterest Provider Setting",
		fmt.Sprintf("The provider's %s is not known until apply, but the provider must be "+
			"configured before it can plan. Set it to a value known at plan time, or "+
			"leave it out and set the %s environment variable, or apply the resource "+
			"it depends on first with -target.", attr, env))
}

func (s settingsReader) str(v types.String, attr, env string) string {
	if v.IsUnknown() {
		s.unknown(attr, env)
		return ""
	}
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (s settingsReader) int(v types.Int64, attr, env string, def int64) int64 {
	if v.IsUnknown() {
		s.unknown(attr, env)
		return def
	}
	if !v.IsNull() {
		return v.ValueInt64()
	}
	text := strings.TrimSpace(os.Getenv(env))
	if text == "" {
		return def
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		s.diags.AddAttributeError(path.Root(attr), "Invalid Environment Variable",
			fmt.Sprintf("%s is %q, which is not a whole number of 0 or more. Correct or "+
				"unset it, or set %s in the provider block.", env, text, attr))
		return def
	}
	return n
}

// tokenSource picks the login mode: refresh credentials when all three are set, else
// the access token. The refresh token source must outlive Configure, so it gets a
// context of its own that carries only the HTTP client.
func tokenSource(accessToken, refreshToken, appID, appSecret, baseURL string, httpClient *http.Client, diags interface {
	AddAttributeError(path.Path, string, string)
}) oauth2.TokenSource {
	anyRefresh := refreshToken != "" || appID != "" || appSecret != ""
	allRefresh := refreshToken != "" && appID != "" && appSecret != ""
	switch {
	case allRefresh:
		conf := &oauth2.Config{
			ClientID:     appID,
			ClientSecret: appSecret,
			Endpoint: oauth2.Endpoint{
				TokenURL:  strings.TrimRight(baseURL, "/") + "/oauth/token",
				AuthStyle: oauth2.AuthStyleInHeader,
			},
		}
		tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, httpClient)
		return conf.TokenSource(tokenCtx, &oauth2.Token{RefreshToken: refreshToken})
	case anyRefresh && accessToken == "":
		var missing []string
		for _, m := range []struct{ value, attr, env string }{
			{refreshToken, "refresh_token", envRefreshToken},
			{appID, "app_id", envAppID},
			{appSecret, "app_secret", envAppSecret},
		} {
			if m.value == "" {
				missing = append(missing, fmt.Sprintf("%s (or %s)", m.attr, m.env))
			}
		}
		diags.AddAttributeError(path.Root("refresh_token"), "Incomplete Pinterest Credentials",
			"Signing in with a refresh token needs refresh_token, app_id and app_secret "+
				"together. Missing: "+strings.Join(missing, ", ")+". Alternatively set "+
				"access_token (or "+envAccessToken+").")
		return nil
	case accessToken != "":
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken})
	}
	diags.AddAttributeError(path.Root("access_token"), "Missing Pinterest Credentials",
		"The provider needs a Pinterest access token to call the API. Set access_token in "+
			"the provider block or the "+envAccessToken+" environment variable, or set "+
			"refresh_token, app_id and app_secret to have the provider fetch access tokens "+
			"itself. The token's app needs the ads:read and ads:write scopes.")
	return nil
}

// checkBaseURL returns why the base URL is refused, or "" when it is fine: it must be
// an absolute https URL, or http only towards a loopback address, so that the token is
// never sent in clear text over a network.
func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Sprintf("%q is not an absolute http(s) URL. Use %s, or the URL the "+
			"local emulator prints.", raw, pinterest.DefaultBaseURL)
	}
	if u.Scheme == "https" || isLoopback(u.Hostname()) {
		return ""
	}
	return fmt.Sprintf("%q uses plain http towards a host that is not on this machine, "+
		"which would send the access token unencrypted. Use https, or a loopback address "+
		"(127.0.0.1, ::1, localhost) for the local emulator.", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func batchingEnabled() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(envBatching))) {
	case "off", "0", "false", "no":
		return false
	}
	return true
}

func secrets(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// logRequest returns the client's observer: every attempt is logged at debug level
// with the fields support asks for, and the provider's secrets masked in case any
// value ever carried one.
func logRequest(masked []string) func(context.Context, pinterest.RequestInfo) {
	return func(ctx context.Context, info pinterest.RequestInfo) {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, masked...)
		ctx = tflog.MaskMessageStrings(ctx, masked...)
		fields := map[string]any{
			"method":        info.Method,
			"path":          info.Path,
			"ad_account_id": info.AdAccountID,
			"attempt":       info.Attempt,
			"status":        info.Status,
			"duration_ms":   info.Duration.Milliseconds(),
			"events":        info.Items,
		}
		if info.RequestID != "" {
			fields["request_id"] = info.RequestID
		}
		if info.Err != nil {
			fields["error"] = info.Err.Error()
		}
		if info.RetryIn > 0 {
			fields["retry_in_ms"] = info.RetryIn.Milliseconds()
			tflog.Warn(ctx, "Pinterest request failed; retrying", fields)
			return
		}
		tflog.Debug(ctx, "Pinterest request", fields)
	}
}
