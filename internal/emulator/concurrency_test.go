package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse runs many clients against a few ad accounts at once. Run with -race; it
// also checks that the limit and case-insensitive uniqueness hold under contention.
func TestConcurrentUse(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetStatePath(t.TempDir() + "/state.json")
	emu.AddFault(FaultRule{Kind: FaultServerError, Rate: 0.1})
	emu.SetRateLimit(1000000, time.Minute, true)
	accounts := []string{"1", "2", "3"}

	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 40 {
				acct := accounts[(w+i)%len(accounts)]
				name := fmt.Sprintf("ev%d", i%20)
				if w%2 == 1 {
					name = strings.ToUpper(name)
				}
				var c call
				switch i % 4 {
				case 0:
					c = call{method: "GET"}
				case 1:
					c = call{method: "POST", body: itemsBody(name + "=LEAD")}
				case 2:
					c = call{method: "PATCH", body: itemsBody(name + "=SIGNUP")}
				case 3:
					c = call{method: "DELETE", query: "event_names=" + name}
				}
				c.path = eventsPathOf(acct)
				r, err := c.send(t, srv)
				if err != nil {
					t.Error(err)
					return
				}
				if r.status != http.StatusOK && r.status != http.StatusInternalServerError {
					t.Errorf("%s: status %d: %s", c.method, r.status, r.body)
				}
			}
		})
		wg.Go(func() {
			for range 20 {
				emu.Requests()
				emu.RequestCount("GET")
				emu.Events("1")
				if _, err := (call{method: "GET", path: "/_emulator/stats"}).send(t, srv); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	for _, acct := range accounts {
		events := emu.Events(acct)
		if len(events) > MaxEventsPerAdAccount {
			t.Errorf("ad account %s holds %d events", acct, len(events))
		}
		seen := map[string]bool{}
		for _, ev := range events {
			key := strings.ToLower(ev.Name)
			if seen[key] {
				t.Errorf("ad account %s holds %q twice", acct, key)
			}
			seen[key] = true
		}
	}
	if n := emu.RequestCount(""); n != 16*40 {
		t.Errorf("RequestCount = %d, want %d", n, 16*40)
	}
}
