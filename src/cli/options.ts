/** Options several commands share, so each reads and explains them the same way. */
import { Option } from 'commander';

export const configOption = () =>
  new Option('-c, --config <file>', 'config file (default: $VIGIL_CONFIG or ./config.yaml)');

export const rulesOption = () =>
  new Option('--rules <dir>', 'rules folder (default: rules.dir from the config)');

export const formatOption = (what = 'output format: table (text), or json for machines') =>
  new Option('-f, --format <format>', what).choices(['table', 'json']).default('table');
