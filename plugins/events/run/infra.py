"""`invoke deploy-infra` and `invoke create-table`: the AWS resources the site runs on."""

from __future__ import annotations

from pathlib import Path

from events.run.outcome import Outcome

__all__ = ["create_table_command", "deploy_infra_command"]


def deploy_infra_command(
    template: Path, repo: str, stack: str, branch: str, table: str, oidc_provider_arn: str, domain: str, certificate_arn: str
) -> Outcome:
    """Create or update the CloudFormation stack; the lines name the repository variables to set."""
    import boto3

    from events.publish.cloudformation import StackError, deploy_stack, repository_variables, stack_parameters

    try:
        parameters = stack_parameters(repo, branch, table, oidc_provider_arn, domain, certificate_arn)
    except ValueError as error:
        return Outcome((), str(error))
    client = boto3.client("cloudformation")
    try:
        outputs = deploy_stack(client, stack, template.read_text(encoding="utf-8"), parameters)
    except StackError as error:
        return Outcome((), str(error))
    lines = [
        f"Stack {stack} is ready; the site is served at https://{outputs.get('DistributionDomainName', '?')}/",
        "Set these GitHub repository variables (Settings > Secrets and variables > Actions > Variables):",
    ]
    lines += [f"  {name}={value}" for name, value in repository_variables(outputs, client.meta.region_name).items()]
    return Outcome(tuple(lines))


def create_table_command(table: str) -> Outcome:
    """Create the DynamoDB table if missing, wait until ACTIVE, turn TTL on."""
    from events.store.dynamodb import create_table

    created = create_table(table)
    return Outcome((f"DynamoDB table {table}: {'created' if created else 'already there'}, ACTIVE, TTL on 'ttl'",))
