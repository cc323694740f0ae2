"""infra/site.yaml: cfn-lint clean, and it creates what DESIGN.md and the README promise."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from cfnlint.api import lint, lint_file
from cfnlint.decode import decode
from conftest import ROOT

from events.publish.cloudformation import repository_variables, stack_parameters

TEMPLATE = ROOT / "infra" / "site.yaml"


@pytest.fixture(scope="module")
def template() -> dict:
    parsed, problems = decode(str(TEMPLATE))
    assert not problems
    return parsed


def resources(template: dict, kind: str) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


def test_template_passes_cfn_lint():
    assert [str(match) for match in lint_file(TEMPLATE)] == []


def test_cfn_lint_does_catch_a_broken_template():
    broken = TEMPLATE.read_text().replace("redirect-to-https", "http-please")
    assert any("http-please" in str(match) for match in lint(broken))


def test_table_matches_the_design(template):
    (table,) = resources(template, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [
        {"AttributeName": "event_id", "KeyType": "HASH"},
        {"AttributeName": "start_datetime", "KeyType": "RANGE"},
    ]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {
        "DateIndex": ["state", "start_datetime"],
        "GroupIndex": ["group_id", "start_datetime"],
        "LocationTypeIndex": ["location_type", "start_datetime"],
    }
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_bucket_is_private_and_encrypted_with_md5_etags(template):
    (bucket,) = resources(template, "AWS::S3::Bucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # SSE-KMS would give ETags that are not MD5s, and every night would upload everything.
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (policy,) = resources(template, "AWS::S3::BucketPolicy")
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    assert "AWS:SourceArn" in allows[0]["Condition"]["StringEquals"]


def test_distribution_is_https_only_compressed_http3_with_oac_function_404_and_csp(template):
    (distribution,) = resources(template, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    assert config["HttpVersion"] == "http2and3"
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviors} == {"redirect-to-https"}
    assert {b["Compress"] for b in behaviors} == {True}
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert {(e["ErrorCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]} == {
        (403, "/404.html"),
        (404, "/404.html"),
    }
    (security, _embeds, _feeds) = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")
    csp = security["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_deploy_role_reaches_only_this_table_bucket_and_distribution(template):
    (role,) = resources(template, "AWS::IAM::Role")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = trust["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert conditions["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubRepository}:ref:refs/heads/${GitHubBranch}"
    }
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    text = json.dumps(statements)
    assert '"*"' not in text and "s3:*" not in text and "dynamodb:*" not in text
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        service = {a.split(":")[0] for a in actions}
        assert len(service) == 1
        refers_to = json.dumps(statement["Resource"])
        assert {"dynamodb": "EventsTable", "s3": "SiteBucket", "cloudfront": "${Distribution}"}[service.pop()] in refers_to
    (provider,) = resources(template, "AWS::IAM::OIDCProvider")
    assert provider["Url"] == "https://token.actions.githubusercontent.com"


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the CloudFront Function")
@pytest.mark.parametrize(
    "uri, expected",
    [
        ("/", "/index.html"),
        ("/2026/03/02/", "/2026/03/02/index.html"),
        ("/events/3f2a9c1b8e4d0a1b2c3d", "/events/3f2a9c1b8e4d0a1b2c3d/index.html"),
        ("/events.ics", "/events.ics"),
        ("/api/events.json", "/api/events.json"),
        ("/theme/css/site.css", "/theme/css/site.css"),
        ("/v1.2/notes", "/v1.2/notes/index.html"),
        # The serverless API's paths, without ".json"
        ("/api/events/upcoming", "/api/events/upcoming.json"),
        ("/api/events/week/2026-W10", "/api/events/week/2026-W10.json"),
        ("/api/groups/dc-python", "/api/groups/dc-python.json"),
        ("/api/events/upcoming.json", "/api/events/upcoming.json"),
        ("/api/schema/", "/api/schema/"),
        ("/embed/groups/dc-python/", "/embed/groups/dc-python/index.html"),
        ("/embed/groups/dc-python", "/embed/groups/dc-python/index.html"),
        ("/search/", "/search/index.html"),
        ("/pagefind/pagefind-ui.js", "/pagefind/pagefind-ui.js"),
    ],
)
def test_cloudfront_function_maps_directories_to_index_html(template, uri, expected):
    (function,) = resources(template, "AWS::CloudFront::Function")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    script = function["FunctionCode"] + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == expected


def test_only_embed_pages_may_be_framed_and_they_get_the_function(template):
    (distribution,) = resources(template, "AWS::CloudFront::Distribution")
    behaviors = {b["PathPattern"]: b for b in distribution["DistributionConfig"]["CacheBehaviors"]}
    policies = {
        name: r["Properties"]["ResponseHeadersPolicyConfig"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
    }
    embed = behaviors["/embed/*"]
    assert embed["ResponseHeadersPolicyId"] == {"Ref": "EmbedHeadersPolicy"}
    embed_headers = policies["EmbedHeadersPolicy"]["SecurityHeadersConfig"]
    assert "frame-ancestors *" in embed_headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "FrameOptions" not in embed_headers
    for name in ("SecurityHeadersPolicy", "FeedHeadersPolicy"):
        assert "frame-ancestors 'none'" in policies[name]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    for pattern in ("/embed/*", "/api/*"):
        (association,) = behaviors[pattern]["FunctionAssociations"]
        assert association["FunctionARN"] == {"Fn::GetAtt": ["IndexFunction", "FunctionMetadata.FunctionARN"]}
    assert "'wasm-unsafe-eval'" in policies["SecurityHeadersPolicy"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]


def test_stack_parameters_and_repository_variables():
    values = {p["ParameterKey"]: p["ParameterValue"] for p in stack_parameters("dctech/site")}
    assert values["GitHubRepository"] == "dctech/site" and values["CreateGitHubOidcProvider"] == "true"
    reuse = {p["ParameterKey"]: p["ParameterValue"] for p in stack_parameters("dctech/site", oidc_provider_arn="arn:x")}
    assert reuse["CreateGitHubOidcProvider"] == "false" and reuse["ExistingGitHubOidcProviderArn"] == "arn:x"
    with pytest.raises(ValueError, match="owner/name"):
        stack_parameters("site")
    with pytest.raises(ValueError, match="go together"):
        stack_parameters("dctech/site", domain="dctech.events")
    outputs = {"DeployRoleArn": "arn:role", "TableName": "t", "BucketName": "b", "DistributionId": "D1"}
    assert repository_variables(outputs, "us-east-1") == {
        "AWS_ROLE_ARN": "arn:role",
        "AWS_REGION": "us-east-1",
        "EVENTS_DYNAMODB_TABLE": "t",
        "EVENTS_PUBLISH_BUCKET": "b",
        "EVENTS_PUBLISH_DISTRIBUTION": "D1",
    }


def test_template_parameters_match_what_deploy_infra_sends(template):
    assert {p["ParameterKey"] for p in stack_parameters("a/b")} == set(template["Parameters"])
