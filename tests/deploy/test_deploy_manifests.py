"""deploy/: the container image, the compose file and the Kubernetes manifests have the properties a
province's operators rely on (read from the files; no cluster or Docker engine needed)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

from shared.settings import DEFAULT_PORTS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
SERVICES = ("accounting", "registry", "certification", "disclosure")
EVERYONE = ("gateway", *SERVICES)
STATELESS = ("gateway", "accounting", "certification", "disclosure")
UID = 10001
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|_KEY$|DATABASE_URL)")
# Who may call a service besides the gateway, and why (README.md, "Running it for a province").
SERVICE_CALLERS = {
    "accounting": {"certification"},  # reads events; certificate notifications to its inbox
    "registry": {"certification"},  # reads retirements for the coverage check
    "certification": {"disclosure"},  # the certificate issuer's JWKS
    "disclosure": {"accounting", "registry", "certification"},  # outbox delivery to its inbox
}
MONITORING = "namespace monitoring: app.kubernetes.io/name=prometheus"


def load(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@functools.cache
def k8s_docs() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in sorted(K8S.glob("*.yaml")) for doc in load(path)]


def of_kind(kind: str) -> list[dict]:
    return [doc for path, doc in k8s_docs() if doc["kind"] == kind and path.name != "secret.template.yaml"]


def deployments() -> dict[str, dict]:
    return {doc["metadata"]["name"].removeprefix("lingtan-"): doc for doc in of_kind("Deployment")}


def pod_labels(doc: dict) -> dict[str, str]:
    return doc["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (matchLabels and the In/NotIn/Exists expressions)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        value, operator = labels.get(expression["key"]), expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
    return True


def all_containers(pod_spec: dict) -> list[dict]:
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def test_every_yaml_under_deploy_parses():
    paths = sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))
    assert len(paths) >= 10
    for path in paths:
        assert load(path), path


def test_kustomization_lists_every_manifest_but_the_secret_template():
    kustomization = load(K8S / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.template.yaml"}
    assert listed == on_disk
    assert "secret.template.yaml" not in listed


def test_a_deployment_per_service_and_the_gateway_running_that_service():
    found = deployments()
    assert set(found) == set(EVERYONE)
    for service, doc in found.items():
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert container["command"][:3] == ["lingtan", "serve", service]
        assert container["image"].startswith("lingtan:")
        assert [p["containerPort"] for p in container["ports"]] == [DEFAULT_PORTS[service]]
        assert selects(doc["spec"]["selector"], pod_labels(doc))
        # The autoscaler owns the replica count; a fixed one would be reset on every apply.
        assert "replicas" not in doc["spec"]


@pytest.mark.parametrize("service", EVERYONE)
def test_probes_check_liveness_readiness_and_a_slow_start(service):
    (container,) = deployments()[service]["spec"]["template"]["spec"]["containers"]
    port_names = {p["name"] for p in container["ports"]}
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        check = container[probe]["httpGet"]
        assert check["port"] in port_names or check["port"] == DEFAULT_PORTS[service]
        paths[probe] = check["path"]
    assert paths == {"startupProbe": "/health", "livenessProbe": "/health", "readinessProbe": "/health/ready"}
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def assert_locked_down(pod_spec: dict, where: str) -> None:
    pod = pod_spec["securityContext"]
    assert pod["runAsNonRoot"] is True, where
    assert pod["runAsUser"] == UID, where
    assert pod["seccompProfile"]["type"] == "RuntimeDefault", where
    assert pod_spec["automountServiceAccountToken"] is False, where
    tmp_volumes = {v["name"] for v in pod_spec["volumes"] if "emptyDir" in v}
    for container in all_containers(pod_spec):
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, where
        assert context["readOnlyRootFilesystem"] is True, where
        assert context["capabilities"]["drop"] == ["ALL"], where
        assert "add" not in context["capabilities"], where
        assert context.get("privileged", False) is False, where
        assert any(m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in container["volumeMounts"]), where
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), where
        assert "memory" in resources["limits"], where


@pytest.mark.parametrize("service", EVERYONE)
def test_pods_run_as_a_fixed_non_root_user_on_a_read_only_root(service):
    assert_locked_down(deployments()[service]["spec"]["template"]["spec"], service)


def test_a_disruption_budget_per_deployment():
    budgets = of_kind("PodDisruptionBudget")
    for service, doc in deployments().items():
        matching = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(doc))]
        assert len(matching) == 1, service
        spec = matching[0]["spec"]
        assert spec.get("minAvailable", 0) >= 1 or spec.get("maxUnavailable") == 1


def test_autoscalers_for_the_stateless_services_never_below_two():
    scalers = {doc["spec"]["scaleTargetRef"]["name"].removeprefix("lingtan-"): doc for doc in of_kind(
        "HorizontalPodAutoscaler")}
    assert set(STATELESS) <= set(scalers)
    assert set(scalers) <= set(deployments())
    for service, doc in scalers.items():
        assert doc["apiVersion"] == "autoscaling/v2"
        assert doc["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert 2 <= doc["spec"]["minReplicas"] <= doc["spec"]["maxReplicas"], service
        (metric,) = doc["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


def test_migrations_run_once_as_a_hook_before_the_rollout():
    (job,) = of_kind("Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PreSync"
    assert "pre-upgrade" in annotations["helm.sh/hook"].split(",")
    pod_spec = job["spec"]["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Never"
    commands = [c["command"] for c in all_containers(pod_spec)]
    assert commands[0] == ["lingtan", "db", "upgrade"]
    assert_locked_down(pod_spec, "migrations job")
    # It migrates every service's database, so it is given every one of them.
    names = {e["name"] for c in all_containers(pod_spec) for e in c["env"]}
    assert {f"LINGTAN_{s.upper()}_DATABASE_URL" for s in EVERYONE} <= names


def every_env() -> list[tuple[str, dict]]:
    found = []
    for kind in ("Deployment", "Job"):
        for doc in of_kind(kind):
            for container in all_containers(doc["spec"]["template"]["spec"]):
                found += [(f"{doc['metadata']['name']}/{container['name']}", e) for e in container.get("env", [])]
    return found


def test_secrets_reach_pods_only_through_secret_key_refs_to_the_template():
    template = load(K8S / "secret.template.yaml")[0]
    placeholders = template["stringData"]
    assert all("REPLACE" in value for value in placeholders.values())
    referenced = set()
    for where, env in every_env():
        if SECRET_NAME.search(env["name"]):
            assert "value" not in env, f"{where}: {env['name']} is a literal"
            ref = env["valueFrom"]["secretKeyRef"]
            assert ref["name"] == template["metadata"]["name"]
            assert ref["key"] in placeholders, f"{where}: {ref['key']} is not in the template"
            referenced.add(ref["key"])
        else:
            assert "@" not in str(env.get("value", "")), f"{where}: {env['name']} looks like credentials"
    assert referenced == set(placeholders)
    (config,) = of_kind("ConfigMap")
    assert not [key for key in config["data"] if SECRET_NAME.search(key)]


def test_each_service_gets_only_its_own_database():
    for service, doc in deployments().items():
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        databases = {e["name"] for e in container["env"] if e["name"].endswith("DATABASE_URL")}
        assert databases == {f"LINGTAN_{service.upper()}_DATABASE_URL"}


def test_services_and_config_agree_on_ports_and_names():
    (config,) = of_kind("ConfigMap")
    services = {doc["metadata"]["name"]: doc for doc in of_kind("Service")}
    for service in EVERYONE:
        (port,) = services[f"lingtan-{service}"]["spec"]["ports"]
        assert port["port"] == DEFAULT_PORTS[service]
        assert selects({"matchLabels": services[f"lingtan-{service}"]["spec"]["selector"]},
                       pod_labels(deployments()[service]))
    for service in SERVICES:
        assert config["data"][f"LINGTAN_{service.upper()}_URL"] == f"http://lingtan-{service}:{DEFAULT_PORTS[service]}"
    assert config["data"]["LINGTAN_JWKS_URL"].startswith("http://lingtan-gateway:8000/")


def peer_name(peer: dict) -> str:
    if "ipBlock" in peer:
        return f"ip {peer['ipBlock']['cidr']}"
    pods = peer.get("podSelector") or {}
    if "namespaceSelector" in peer:
        namespace = (peer["namespaceSelector"].get("matchLabels") or {}).get("kubernetes.io/metadata.name", "any")
        labels = ",".join(f"{k}={v}" for k, v in sorted((pods.get("matchLabels") or {}).items()))
        return f"namespace {namespace}: {labels}"
    component = (pods.get("matchLabels") or {}).get("app.kubernetes.io/component")
    assert component, f"a same-namespace peer must name one component: {peer}"
    return component


def allowed(direction: str, labels: dict[str, str], port: int | None = None) -> set[str]:
    """Peers one pod may take traffic from ('ingress') or send it to ('egress'), on `port` if given."""
    peers: set[str] = set()
    key, side = ("ingress", "from") if direction == "ingress" else ("egress", "to")
    for policy in of_kind("NetworkPolicy"):
        if not selects(policy["spec"]["podSelector"], labels):
            continue
        for rule in policy["spec"].get(key, []):
            ports = [p["port"] for p in rule.get("ports", [])]
            if port is not None and ports and port not in ports and "http" not in ports:
                continue
            if not rule.get(side):
                peers.add("anyone")
            peers |= {peer_name(peer) for peer in rule.get(side, [])}
    return peers


def test_network_policies_deny_by_default():
    defaults = [p for p in of_kind("NetworkPolicy") if p["spec"]["podSelector"] == {}]
    assert any(set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and not p["spec"].get("ingress")
               and not p["spec"].get("egress") for p in defaults)


def test_only_the_gateway_reaches_the_services_besides_the_listed_callers():
    pods = {service: pod_labels(doc) for service, doc in deployments().items()}
    assert allowed("ingress", pods["gateway"], 8000) >= {"anyone"}
    for service in SERVICES:
        admitted = allowed("ingress", pods[service], DEFAULT_PORTS[service])
        assert admitted == {"gateway", *SERVICE_CALLERS[service], MONITORING}, service


def test_egress_mirrors_ingress_between_lingtan_pods():
    pods = {service: pod_labels(doc) for service, doc in deployments().items()}
    for caller in EVERYONE:
        reaches = {callee for callee in EVERYONE
                   if callee != caller and callee in allowed("egress", pods[caller], DEFAULT_PORTS[callee])}
        admitted_by = {callee for callee in EVERYONE if callee != caller
                       and allowed("ingress", pods[callee], DEFAULT_PORTS[callee]) & {caller, "anyone"}}
        assert reaches == admitted_by, caller
        if caller != "gateway":
            assert "gateway" in reaches, f"{caller} must reach the gateway for tokens and keys"


def test_every_lingtan_pod_may_resolve_names_and_reach_postgresql():
    (job,) = of_kind("Job")
    for labels in [*(pod_labels(d) for d in deployments().values()), pod_labels(job)]:
        dns = allowed("egress", labels, 53)
        assert "namespace kube-system: k8s-app=kube-dns" in dns
        assert any("postgresql" in peer or peer.startswith("ip ") for peer in allowed("egress", labels, 5432))


def compose() -> dict:
    return load(DEPLOY / "compose.yaml")[0]


def test_compose_has_postgresql_and_every_service_with_a_health_check():
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    for service in EVERYONE:
        spec = services[service]
        assert spec["environment"]["LINGTAN_SERVICE"] == service
        assert spec["healthcheck"]["test"][:2] == ["CMD", "python"]
        assert "lingtan.healthcheck" in spec["healthcheck"]["test"]
        assert spec["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert spec["user"] == f"{UID}:{UID}"
        assert spec["read_only"] is True
        assert spec["cap_drop"] == ["ALL"]
    published = {name for name, spec in services.items() if spec.get("ports")}
    assert published == {"gateway"}


def test_compose_migrates_once_after_postgresql_is_healthy():
    migrate = compose()["services"]["migrate"]
    assert migrate["command"] == ["lingtan", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_secrets_come_from_env_files_documented_by_examples():
    services = compose()["services"]
    for name, spec in services.items():
        literal = [key for key in (spec.get("environment") or {}) if SECRET_NAME.search(key)]
        assert literal == [], f"{name} has secrets written in compose.yaml: {literal}"
        for env_file in spec.get("env_file", []):
            example = DEPLOY / f"{env_file}.example"
            assert example.exists(), example
    example = (DEPLOY / "lingtan.env.example").read_text()
    for variable in ("LINGTAN_SECRET_KEY", "LINGTAN_SERVICE_CLIENT_SECRET", "LINGTAN_REGISTRY_LOG_KEY",
                     "LINGTAN_DATABASE_URL"):
        (line,) = [ln for ln in example.splitlines() if ln.startswith(f"{variable}=")]
        assert "REPLACE" in line


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "") for ln in lines]


def stages() -> list[tuple[str, list[tuple[str, str]]]]:
    instructions = dockerfile_instructions()
    args = {}
    for name, rest in instructions:
        if name == "FROM":
            break
        if name == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args[key] = value
    found: list[tuple[str, list[tuple[str, str]]]] = []
    for name, rest in instructions:
        if name == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], rest.split()[0])
            found.append((image, []))
        elif found:
            found[-1][1].append((name, rest))
    return found


def test_dockerfile_builds_in_stages_and_runs_slim_as_a_fixed_non_root_user():
    built = stages()
    assert len(built) >= 2
    builder = " ".join(rest for _, rest in built[0][1])
    assert "requirements.lock" in builder and "pip wheel" in builder
    image, runtime = built[-1]
    assert image.startswith("python:3.11-slim")
    user = [rest for name, rest in runtime if name == "USER"]
    assert user, "the runtime stage must set USER"
    uid = user[-1].split(":")[0]
    assert uid.isdigit() and int(uid) == UID
    assert any(name == "COPY" and rest.startswith("--from=builder") for name, rest in runtime)
    installs = " ".join(rest for name, rest in runtime if name == "RUN" and "apt-get install" in rest)
    assert "fonts-wqy-microhei" in installs
    assert not re.search(r"\b(gcc|g\+\+|make|build-essential|libpq-dev)\b", installs)
    assert any(name == "HEALTHCHECK" and "lingtan.healthcheck" in rest for name, rest in runtime)
    (command,) = [rest for name, rest in runtime if name == "CMD"]
    assert "lingtan serve" in command and "LINGTAN_SERVICE" in command
