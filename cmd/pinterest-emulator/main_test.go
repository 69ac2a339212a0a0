package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

const testToken = "cmd-test-token"

// started is a running command and what it printed.
type started struct {
	baseURL string
	stdout  *strings.Builder // read only after scanned is closed
	scanned chan struct{}
	cancel  context.CancelFunc
	done    chan error
}

// start runs the command with args and waits for its base URL line.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{stdout: &strings.Builder{}, scanned: make(chan struct{}), cancel: cancel,
		done: make(chan error, 1)}
	go func() {
		err := run(ctx, args, pw)
		_ = pw.CloseWithError(io.EOF)
		s.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})

	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.stdout.WriteString(sc.Text() + "\n")
			select {
			case line <- sc.Text():
			default:
			}
		}
		close(line)
		close(s.scanned)
	}()
	select {
	case l, ok := <-line:
		if !ok {
			t.Fatalf("command ended without printing the base URL: %v", <-s.done)
		}
		url, found := strings.CutPrefix(l, "PINTEREST_BASE_URL=")
		if !found {
			t.Fatalf("first line = %q", l)
		}
		s.baseURL = url
	case <-time.After(10 * time.Second):
		t.Fatal("no base URL printed")
	}
	return s
}

// stop cancels the command and returns its error.
func (s *started) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err
		<-s.scanned
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("command did not stop")
		return nil
	}
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestRun_servesAndSavesState(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	readyPath := filepath.Join(dir, "ready")
	seedPath := filepath.Join(dir, "seed.json")
	seed := `{"111":[{"name":"Checkout_Step","mapped_conversion_type":"CHECKOUT"},` +
		`{"name":"legacy","mapped_conversion_type":null}]}`
	if err := os.WriteFile(seedPath, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}

	s := start(t, "-addr", "127.0.0.1:0", "-token", testToken, "-state", statePath,
		"-seed-events", seedPath, "-cloned", "222, 333", "-lowercase-names",
		"-ready-file", readyPath, "-latency", "1ms")

	if !strings.HasPrefix(s.baseURL, "http://127.0.0.1:") ||
		!strings.HasSuffix(s.baseURL, "/v5") || strings.HasSuffix(s.baseURL, ":0/v5") {
		t.Errorf("base URL = %q", s.baseURL)
	}
	ready, err := os.ReadFile(readyPath)
	if err != nil || string(ready) != s.baseURL {
		t.Errorf("ready file = %q, %v; want %q", ready, err, s.baseURL)
	}

	status, body := get(t, s.baseURL+"/ad_accounts/111/advertiser_defined_events", testToken)
	want := `{"items":[{"name":"checkout_step","mapped_conversion_type":"CHECKOUT"},` +
		`{"name":"legacy","mapped_conversion_type":null}]}`
	if status != 200 || strings.TrimSpace(string(body)) != want {
		t.Errorf("list = %d %s", status, body)
	}
	status, _ = get(t, s.baseURL+"/ad_accounts/111/advertiser_defined_events", "wrong")
	if status != 401 {
		t.Errorf("wrong token: status %d", status)
	}

	create := `{"items":[{"name":"new","mapped_conversion_type":"LEAD"}]}`
	req, err := http.NewRequest(http.MethodPost,
		s.baseURL+"/ad_accounts/222/advertiser_defined_events", strings.NewReader(create))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if err := s.stop(t); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if strings.Contains(s.stdout.String(), testToken) {
		t.Error("stdout holds the token")
	}
	if _, err := os.Stat(readyPath); !os.IsNotExist(err) {
		t.Errorf("ready file left behind: %v", err)
	}

	loaded := emulator.New(emulator.Options{Token: "x"})
	if err := loaded.LoadState(statePath); err != nil {
		t.Fatal(err)
	}
	if got := loaded.Events("222"); len(got) != 1 || got[0].Name != "new" {
		t.Errorf("saved events of 222 = %+v", got)
	}
	if got := loaded.Events("111"); len(got) != 2 || got[0].Name != "Checkout_Step" ||
		got[1].MappingType != nil {
		t.Errorf("saved events of 111 = %+v", got)
	}
	var st struct {
		Accounts map[string]struct {
			Cloned bool `json:"cloned"`
		} `json:"accounts"`
	}
	data, _ := os.ReadFile(statePath)
	if err := json.Unmarshal(data, &st); err != nil || !st.Accounts["333"].Cloned {
		t.Errorf("state file = %s (%v)", data, err)
	}

	// A second start resumes from the state file.
	s2 := start(t, "-addr", "127.0.0.1:0", "-token", testToken, "-state", statePath)
	_, body = get(t, s2.baseURL+"/ad_accounts/222/advertiser_defined_events", testToken)
	if !strings.Contains(string(body), `"new"`) {
		t.Errorf("resumed list = %s", body)
	}
}

func TestRun_tokenFromEnvAndOAuth(t *testing.T) {
	t.Setenv(envToken, "env-token")
	t.Setenv(envAppSecret, "env-secret")
	t.Setenv(envRefreshToken, "env-refresh")

	s := start(t, "-addr", "127.0.0.1:0", "-app-id", "app", "-rate-limit", "1",
		"-retry-after=false")

	url := s.baseURL + "/ad_accounts/1/advertiser_defined_events"
	if status, _ := get(t, url, "env-token"); status != 200 {
		t.Errorf("env token: status %d", status)
	}
	status, _ := get(t, url, "env-token")
	if status != 429 {
		t.Errorf("over the rate limit: status %d", status)
	}

	req, err := http.NewRequest(http.MethodPost, s.baseURL+"/oauth/token",
		strings.NewReader("grant_type=refresh_token&refresh_token=env-refresh"))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("app", "env-secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token exchange: status %d", resp.StatusCode)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if strings.Contains(s.stdout.String(), "env-") {
		t.Error("stdout holds a secret")
	}
}

func TestRun_flagErrors(t *testing.T) {
	t.Setenv(envToken, "")
	t.Setenv(envAppSecret, "")
	t.Setenv(envRefreshToken, "")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no token", []string{"-addr", "127.0.0.1:0"}, "token"},
		{"all interfaces", []string{"-token", "t", "-addr", ":0"}, "non-loopback"},
		{"public address", []string{"-token", "t", "-addr", "0.0.0.0:0"}, "-allow-remote"},
		{"bad address", []string{"-token", "t", "-addr", "nope"}, "-addr"},
		{"partial oauth", []string{"-token", "t", "-addr", "127.0.0.1:0", "-app-id", "a"},
			"-refresh-token"},
		{"stray argument", []string{"-token", "t", "extra"}, "unexpected"},
		{"bad seed file", []string{"-token", "t", "-addr", "127.0.0.1:0", "-seed-events",
			filepath.Join(t.TempDir(), "absent.json")}, "seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder

			err := run(context.Background(), tt.args, &out)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q", out.String())
			}
		})
	}
}

func TestRun_allowRemote(t *testing.T) {
	s := start(t, "-addr", "0.0.0.0:0", "-allow-remote", "-token", testToken)

	if err := s.stop(t); err != nil {
		t.Fatalf("run returned %v", err)
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "localhost:80": true, "[::1]:80": true, "127.1.2.3:0": true,
		":80": false, "0.0.0.0:80": false, "10.0.0.1:80": false, "example.com:80": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
}
