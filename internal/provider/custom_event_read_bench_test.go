package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// BenchmarkCustomEventRead measures what one resource's refresh costs the provider
// through the protocol, with the ad account's list shared as in a refresh: the part of
// a refresh that batching cannot remove.
func BenchmarkCustomEventRead(b *testing.B) {
	emu := newTestEmulator(b)
	for i := range 15 {
		emu.Seed(testAccount, emulator.Event{Name: fmt.Sprintf("Event_%02d", i),
			MappingType: emulator.String("LEAD")})
	}
	p := newProtoProvider(b, emu, testToken, "")
	state := p.dynamic(p.eventState(testAccount+"/Event_07", testAccount, "Event_07", "LEAD"))
	req := &tfprotov6.ReadResourceRequest{TypeName: eventType, CurrentState: state}

	for b.Loop() {
		resp, err := p.server.ReadResource(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		checkNoErrors(b, "ReadResource", resp.Diagnostics)
	}
	b.ReportMetric(float64(emu.RequestCount(""))/float64(b.N), "requests/op")
}
