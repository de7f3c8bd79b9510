// Expressive Code options live here rather than in astro.config.mjs: plugins
// are functions, which the <Code> component cannot take from the Astro config.
import { defineEcConfig } from '@astrojs/starlight/expressive-code';
import { exerciseVerifyPlugin } from './site/expressive-code/exercise-verify-plugin.ts';
import { runPlugin } from './site/expressive-code/run-plugin.ts';

export default defineEcConfig({
  plugins: [runPlugin(), exerciseVerifyPlugin()],
});
