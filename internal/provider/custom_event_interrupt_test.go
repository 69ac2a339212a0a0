package provider

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccCustomEvent_interruptedApplyConverges interrupts a real `terraform apply` (as
// Ctrl-C does) while its first create request is in flight, then applies again: the
// second apply must finish the job with nothing missing and nothing made twice.
// plugin-testing cannot interrupt a command, so this drives the CLI itself, with the
// provider built and found through dev_overrides as a user's machine would.
func TestAccCustomEvent_interruptedApplyConverges(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
	terraformPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraformPath == "" {
		var err error
		if terraformPath, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on the PATH")
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-pinterest"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	emu := newTestEmulator(t)
	emu.SetLatency(300 * time.Millisecond)
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(dir, "terraformrc"), fmt.Sprintf(`
provider_installation {
  dev_overrides {
    "conversionops/pinterest" = %q
  }
  direct {}
}
`, bin))
	writeFile(t, filepath.Join(work, "main.tf"), `
terraform {
  required_providers {
    pinterest = {
      source = "conversionops/pinterest"
    }
  }
}
`+emu.providerConfig()+fifteenEvents(testAccount, "CHECKOUT"))

	terraform := func(args ...string) *exec.Cmd {
		cmd := exec.Command(terraformPath, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"),
			"TF_IN_AUTOMATION=1", "TF_LOG=", "CHECKPOINT_DISABLE=1")
		return cmd
	}

	var out bytes.Buffer
	apply := terraform("apply", "-auto-approve", "-input=false", "-no-color")
	apply.Stdout, apply.Stderr = &out, &out
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for emu.RequestCount(http.MethodPost) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := apply.Wait(); err == nil {
		t.Logf("the interrupted apply exited 0:\n%s", out.String())
	}
	created := len(emu.Events(testAccount))
	if created == 15 {
		t.Fatalf("the apply finished before the interrupt took effect; nothing was tested:\n%s",
			out.String())
	}
	t.Logf("the interrupted apply left %d of 15 events", created)

	out.Reset()
	again := terraform("apply", "-auto-approve", "-input=false", "-no-color")
	again.Stdout, again.Stderr = &out, &out
	if err := again.Run(); err != nil {
		t.Fatalf("the apply after the interrupt failed: %v\n%s", err, out.String())
	}
	if got := len(emu.Events(testAccount)); got != 15 {
		t.Fatalf("after the second apply the emulator holds %d events, want 15", got)
	}
	plan := terraform("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if msg, err := plan.CombinedOutput(); err != nil {
		t.Fatalf("the plan after convergence is not empty (%v):\n%s", err, msg)
	}
	destroy := terraform("destroy", "-auto-approve", "-input=false", "-no-color")
	if msg, err := destroy.CombinedOutput(); err != nil {
		t.Fatalf("destroy: %v\n%s", err, msg)
	}
	if got := emu.Events(testAccount); len(got) != 0 {
		t.Errorf("destroy left %v", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
