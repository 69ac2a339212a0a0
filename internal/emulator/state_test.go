package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestState_roundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	emu := New(Options{Token: testToken})
	emu.Seed("1", Event{Name: "b", MappingType: String("LEAD")},
		Event{Name: "A", MappingType: nil},
		Event{Name: "c", MappingType: String("PAGE_LOAD")})
	emu.Seed("2", Event{Name: "x", MappingType: String("SIGNUP")})
	emu.SetCloned("2", true)
	emu.DenyAccount("1")

	if err := emu.SaveState(path); err != nil {
		t.Fatal(err)
	}
	loaded := New(Options{Token: "another"})
	loaded.Seed("3", Event{Name: "replaced", MappingType: String("LEAD")})
	if err := loaded.LoadState(path); err != nil {
		t.Fatal(err)
	}

	wantEvents(t, loaded, "1", "b=LEAD", "A=null", "c=PAGE_LOAD")
	wantEvents(t, loaded, "2", "x=SIGNUP")
	wantEvents(t, loaded, "3")
	srv := serve(t, loaded)
	wantItems(t, call{method: "DELETE", path: eventsPathOf("2"), query: "event_names=x",
		token: "another"}.mustSend(t, srv), "x:failure:cloned_ad_account_events_read_only")
	// Denial is configuration, not state.
	wantStatus(t, call{method: "GET", path: eventsPathOf("1"), token: "another"}.mustSend(t, srv),
		200)

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("state file is not JSON: %v", err)
	}
	if !st.Accounts["2"].Cloned || len(st.Accounts["1"].Events) != 3 {
		t.Errorf("state file = %s", data)
	}
	wantOnlyFile(t, path)
}

// wantOnlyFile checks that no temporary file was left beside path.
func wantOnlyFile(t *testing.T, path string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		t.Errorf("directory holds %v, want only %s", got, filepath.Base(path))
	}
}

func TestLoadState_missingFileIsEmpty(t *testing.T) {
	emu := New(Options{Token: testToken})
	emu.Seed("1", Event{Name: "a", MappingType: String("LEAD")})

	if err := emu.LoadState(filepath.Join(t.TempDir(), "absent.json")); err != nil {
		t.Fatalf("missing file: %v", err)
	}

	wantEvents(t, emu, "1")
}

func TestLoadState_corruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"accounts":{"1":`), 0o600); err != nil {
		t.Fatal(err)
	}
	emu := New(Options{Token: testToken})
	emu.Seed("1", Event{Name: "kept", MappingType: String("LEAD")})

	if err := emu.LoadState(path); err == nil {
		t.Fatal("corrupt state loaded without error")
	}
	wantEvents(t, emu, "1", "kept=LEAD")
}

func TestStatePath_savesAfterMutations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	emu, srv := newTestServer(t)
	emu.SetStatePath(path)

	call{method: "GET"}.mustSend(t, srv)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a list call wrote the state: %v", err)
	}

	steps := []struct {
		call call
		want []string
	}{
		{call{method: "POST", body: itemsBody("a=LEAD", "b=SIGNUP")}, []string{"a=LEAD",
			"b=SIGNUP"}},
		{call{method: "PATCH", body: itemsBody("A=SEARCH")}, []string{"a=SEARCH", "b=SIGNUP"}},
		{call{method: "DELETE", query: "event_names=b"}, []string{"a=SEARCH"}},
	}
	for _, s := range steps {
		wantStatus(t, s.call.mustSend(t, srv), 200)

		fresh := New(Options{Token: testToken})
		if err := fresh.LoadState(path); err != nil {
			t.Fatal(err)
		}
		wantEvents(t, fresh, testAccount, s.want...)
	}
	wantOnlyFile(t, path)
}

func TestStatePath_saveFailureAnswers500(t *testing.T) {
	emu, srv := newTestServer(t)
	emu.SetStatePath(filepath.Join(t.TempDir(), "missing-dir", "state.json"))

	r := call{method: "POST", body: itemsBody("a=LEAD")}.mustSend(t, srv)

	wantError(t, r, 500, codeServerError, "state")
}

func TestSaveState_concurrentReadersSeeWholeFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	emu := New(Options{Token: testToken})
	if err := emu.SaveState(path); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			emu.Seed("1", Event{Name: "e" + string(rune('a'+i%26)), MappingType: String("LEAD")})
			if err := emu.SaveState(path); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 300 {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var st stateFile
		if err := json.Unmarshal(data, &st); err != nil {
			t.Fatalf("reader saw a partial file: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	wantOnlyFile(t, path)
}
