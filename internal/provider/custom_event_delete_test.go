package provider

import (
	"context"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// destroy applies the destruction of the event in prior state, as Terraform does when
// its refresh did not notice the event was gone (for example with -refresh=false).
func (p *protoProvider) destroy(prior tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	null := tftypes.NewValue(p.resourceType(), nil)
	resp, err := p.server.ApplyResourceChange(context.Background(),
		&tfprotov6.ApplyResourceChangeRequest{
			TypeName:     eventType,
			PriorState:   p.dynamic(prior),
			PlannedState: p.dynamic(null),
			Config:       p.dynamic(null),
		})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

func TestCustomEventResource_untrackOfAlreadyUntrackedEventSucceeds(t *testing.T) {
	emu := newTestEmulator(t)
	p := newProtoProvider(t, emu, testToken, "")

	resp := p.destroy(p.eventState(testAccount+"/Long_Gone", testAccount, "Long_Gone", "LEAD"))

	checkNoErrors(t, "ApplyResourceChange", resp.Diagnostics)
	if n := emu.RequestCount(http.MethodDelete); n != 1 {
		t.Errorf("%d untrack requests, want 1", n)
	}
}

func TestCustomEventResource_untrackInClonedAccountFailsAndKeepsState(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Inherited", MappingType: emulator.String("LEAD")})
	emu.SetCloned(testAccount, true)
	p := newProtoProvider(t, emu, testToken, "")

	prior := p.eventState(testAccount+"/Inherited", testAccount, "Inherited", "LEAD")
	resp := p.destroy(prior)

	if findDiagnostic(resp.Diagnostics, tfprotov6.DiagnosticSeverityError,
		"Cloned Ad Account Events Are Read-Only") == nil {
		t.Fatalf("diagnostics %v, want the cloned-account error", resp.Diagnostics)
	}
	if got := p.decode(resp.NewState, p.resourceType()); got["name"] != "Inherited" {
		t.Errorf("a failed untrack dropped the event from state: %v", got)
	}
	if len(emu.Events(testAccount)) != 1 {
		t.Errorf("the inherited event was untracked")
	}
}
