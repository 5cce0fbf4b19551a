import { useRoute } from './route.js';
import { ChartsView } from './views/charts.js';
import { CompareView } from './views/compare.js';
import { ExperimentsView } from './views/experiments.js';
import { ModelView, ModelsView } from './views/models.js';
import { RunView } from './views/run.js';
import { RunsView } from './views/runs.js';

export function App() {
  const route = useRoute();
  const [top, id] = route.path;
  let view;
  let full = false;
  if (top === 'experiments' && id) {
    view = <RunsView key={id} experimentId={id} params={route.params} />;
    full = true;
  } else if (top === 'runs' && id) view = <RunView key={id} runId={id} params={route.params} />;
  else if (top === 'charts') view = <ChartsView params={route.params} />;
  else if (top === 'compare') view = <CompareView params={route.params} />;
  else if (top === 'models' && id) view = <ModelView key={id} name={id} params={route.params} />;
  else if (top === 'models') view = <ModelsView />;
  else if (top === 'bad-link') view = <div class="error">This link is malformed (a path segment is not valid percent-encoding). <a href="#/">Go to the experiments</a>.</div>;
  else view = <ExperimentsView params={route.params} />;
  const section = top === 'models' ? 'models' : 'experiments';
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">git-ml</a>
        <nav>
          <a href="#/" class={section === 'experiments' ? 'on' : ''}>Experiments</a>
          <a href="#/models" class={section === 'models' ? 'on' : ''}>Models</a>
        </nav>
      </header>
      <main class={full ? 'full' : ''}>{view}</main>
    </>
  );
}
