// Decodes every object the chart renders strictly against the real Kubernetes API types
// (unknown or duplicate fields, wrong types and unknown kinds fail), then checks the
// properties a rolling restart and a locked-down pod depend on. RENDERED names a folder of
// `helm template` outputs (*.yaml); validate-chart.sh makes it.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// ServiceMonitor is the Prometheus Operator's CRD, not in client-go's scheme: the fields the
// chart writes, decoded with unknown fields refused.
type serviceMonitor struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Metadata   map[string]any     `json:"metadata"`
	Spec       serviceMonitorSpec `json:"spec"`
}

type serviceMonitorSpec struct {
	Selector  map[string]map[string]string `json:"selector"`
	Endpoints []struct {
		Port     string `json:"port"`
		Path     string `json:"path"`
		Interval string `json:"interval"`
	} `json:"endpoints"`
}

func TestRenderedObjects(t *testing.T) {
	dir := os.Getenv("RENDERED")
	if dir == "" {
		t.Fatal("RENDERED must name the folder of rendered charts (run deploy/validate-chart.sh)")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered charts in %s", dir)
	}
	strict := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			kinds := map[string]int{}
			for _, doc := range documents(t, file) {
				var head struct{ Kind string }
				if err := json.Unmarshal(doc, &head); err != nil {
					t.Fatal(err)
				}
				kinds[head.Kind]++
				if head.Kind == "ServiceMonitor" {
					decodeServiceMonitor(t, doc)
					continue
				}
				object, _, err := strict.Decode(doc, nil, nil)
				if err != nil {
					t.Fatalf("%s: %v", head.Kind, err)
				}
				// The bundled Redis (rateLimitStore.bundled) is counted and checked apart.
				if accessor, ok := object.(interface{ GetLabels() map[string]string }); ok &&
					accessor.GetLabels()["app.kubernetes.io/component"] == "rate-limit-store" {
					kinds[head.Kind]--
					kinds["store "+head.Kind]++
					if deployment, ok := object.(*appsv1.Deployment); ok {
						checkStoreDeployment(t, deployment)
					}
					continue
				}
				switch typed := object.(type) {
				case *appsv1.Deployment:
					checkDeployment(t, typed)
				case *networkingv1.NetworkPolicy:
					checkNetworkPolicy(t, typed)
				}
			}
			if kinds["Deployment"] != 1 || kinds["Service"] != 1 {
				t.Fatalf("want one Deployment and one Service, got %v", kinds)
			}
			if n := kinds["store Deployment"]; n > 1 || kinds["store Service"] != n {
				t.Fatalf("want at most one Redis Deployment, with its Service, got %v", kinds)
			}
		})
	}
}

// documents splits a multi-document YAML file into JSON documents, skipping empty ones.
func documents(t *testing.T, file string) [][]byte {
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(content), 4096)
	var docs [][]byte
	for {
		var raw runtime.RawExtension
		if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			t.Fatal(err)
		}
		if raw.Raw = bytes.TrimSpace(raw.Raw); len(raw.Raw) > 0 && string(raw.Raw) != "null" {
			docs = append(docs, raw.Raw)
		}
	}
}

func decodeServiceMonitor(t *testing.T, doc []byte) {
	decoder := json.NewDecoder(bytes.NewReader(doc))
	decoder.DisallowUnknownFields()
	var monitor serviceMonitor
	if err := decoder.Decode(&monitor); err != nil {
		t.Fatalf("ServiceMonitor: %v", err)
	}
	if monitor.APIVersion != "monitoring.coreos.com/v1" || len(monitor.Spec.Endpoints) != 1 {
		t.Fatalf("ServiceMonitor: unexpected %+v", monitor)
	}
}

// checkDeployment: what no-lost-request restarts and a locked-down pod rely on.
func checkDeployment(t *testing.T, deployment *appsv1.Deployment) {
	pod := deployment.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	server := pod.Containers[0]
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		request, limit := server.Resources.Requests[name], server.Resources.Limits[name]
		if request.IsZero() || request.Cmp(limit) != 0 {
			t.Errorf("%s: request %s must equal limit %s", name, request.String(), limit.String())
		}
	}
	security := server.SecurityContext
	if security == nil || security.ReadOnlyRootFilesystem == nil || !*security.ReadOnlyRootFilesystem ||
		security.AllowPrivilegeEscalation == nil || *security.AllowPrivilegeEscalation ||
		security.Capabilities == nil || len(security.Capabilities.Drop) != 1 || security.Capabilities.Drop[0] != "ALL" {
		t.Errorf("container securityContext not locked down: %+v", security)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("pod must set runAsNonRoot")
	}
	if server.ReadinessProbe == nil || server.ReadinessProbe.HTTPGet.Path != "/health/ready" ||
		server.LivenessProbe == nil || server.LivenessProbe.HTTPGet.Path != "/health/live" {
		t.Error("probes must be /health/ready and /health/live")
	}
	if server.Lifecycle == nil || server.Lifecycle.PreStop == nil || server.Lifecycle.PreStop.Exec == nil {
		t.Error("a preStop delay is required")
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds <= 10 {
		t.Error("the grace period must exceed the server's 10 s drain")
	}
	rolling := deployment.Spec.Strategy.RollingUpdate
	if rolling == nil || rolling.MaxUnavailable == nil || rolling.MaxUnavailable.IntValue() != 0 {
		t.Error("a rolling update must keep every replica until its successor is ready (maxUnavailable 0)")
	}
}

// checkStoreDeployment: the bundled Redis is one locked-down pod, never two at once (two would
// split the buckets).
func checkStoreDeployment(t *testing.T, deployment *appsv1.Deployment) {
	pod := deployment.Spec.Template.Spec
	if deployment.Spec.Replicas == nil || *deployment.Spec.Replicas != 1 ||
		deployment.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Error("the bundled Redis must be one replica, replaced with Recreate")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one Redis container, got %d", len(pod.Containers))
	}
	security := pod.Containers[0].SecurityContext
	if security == nil || security.ReadOnlyRootFilesystem == nil || !*security.ReadOnlyRootFilesystem ||
		security.AllowPrivilegeEscalation == nil || *security.AllowPrivilegeEscalation ||
		pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("the bundled Redis must run locked down like the server")
	}
}

// checkNetworkPolicy: the server's policy admits ingress only, and the metrics port only from
// a selected namespace.
func checkNetworkPolicy(t *testing.T, policy *networkingv1.NetworkPolicy) {
	if len(policy.Spec.PolicyTypes) != 1 || policy.Spec.PolicyTypes[0] != networkingv1.PolicyTypeIngress {
		t.Errorf("NetworkPolicy %s: want policyTypes [Ingress], got %v", policy.Name, policy.Spec.PolicyTypes)
	}
	for _, rule := range policy.Spec.Ingress {
		for _, port := range rule.Ports {
			if port.Port == nil || port.Port.String() != "metrics" {
				continue
			}
			if len(rule.From) == 0 {
				t.Errorf("NetworkPolicy %s: the metrics port is open to every source", policy.Name)
			}
			for _, peer := range rule.From {
				if peer.NamespaceSelector == nil || len(peer.NamespaceSelector.MatchLabels) == 0 || peer.IPBlock != nil {
					t.Errorf("NetworkPolicy %s: metrics must come from a named namespace, got %+v", policy.Name, peer)
				}
			}
		}
	}
}
