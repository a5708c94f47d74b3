import { useState } from 'react'
export const BUILD = 'v1'
export default function App() {
  const [count, setCount] = useState(0)
  return (<main><h1>Edgeway fixture {BUILD}</h1>
    <button onClick={() => setCount(c => c + 1)}>count is {count}</button></main>)
}
